/// Items as the Amazon Ion text DynamoDB exports write in ION format: one line per item,
/// `$ion_1_0 {Item:{...}}`.
///
/// The type mapping of "DynamoDB table export output format" (Ion section,
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html):
/// String -> string, Number -> decimal, Binary -> blob, Boolean -> bool, Null -> null,
/// List -> list, Map -> struct, and the sets -> lists annotated `$dynamodb_SS`, `$dynamodb_NS`
/// or `$dynamodb_BS`. Field names are written as identifiers when Ion allows it, else as
/// quoted symbols.
enum IonTextWriter {
    static let versionMarker = "$ion_1_0"
    static let stringSetAnnotation = "$dynamodb_SS"
    static let numberSetAnnotation = "$dynamodb_NS"
    static let binarySetAnnotation = "$dynamodb_BS"

    /// `$ion_1_0 {Item:{...}}` and a newline.
    static func line(_ item: Item, into out: inout [UInt8]) {
        out += Array("\(versionMarker) {Item:".utf8)
        writeStruct(item, into: &out)
        out += [UInt8(ascii: "}"), 0x0A]
    }

    static func write(_ value: AttributeValue, into out: inout [UInt8]) {
        switch value {
        case .string(let text): writeString(text, into: &out)
        case .number(let number): writeDecimal(number, into: &out)
        case .binary(let bytes): writeBlob(bytes, into: &out)
        case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        case .stringSet(let texts): writeList(stringSetAnnotation, texts.map(AttributeValue.string), into: &out)
        case .numberSet(let numbers): writeList(numberSetAnnotation, numbers.map(AttributeValue.number), into: &out)
        case .binarySet(let blobs): writeList(binarySetAnnotation, blobs.map(AttributeValue.binary), into: &out)
        case .list(let values): writeList(nil, values, into: &out)
        case .map(let fields): writeStruct(fields, into: &out)
        }
    }

    /// Fields in name order, so the same item always gives the same text.
    private static func writeStruct(_ fields: [String: AttributeValue], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (position, name) in fields.keys.sorted().enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            writeFieldName(name, into: &out)
            out.append(UInt8(ascii: ":"))
            if let value = fields[name] { write(value, into: &out) }
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func writeList(_ annotation: String?, _ values: [AttributeValue], into out: inout [UInt8]) {
        if let annotation { out += Array((annotation + "::").utf8) }
        out.append(UInt8(ascii: "["))
        for (position, value) in values.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            write(value, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Ion decimals: `103.` for an integer, `1.5` as is (a Number's text has no exponent).
    private static func writeDecimal(_ number: Number, into out: inout [UInt8]) {
        let text = number.description
        out += Array(text.utf8)
        if !text.utf8.contains(UInt8(ascii: ".")) { out.append(UInt8(ascii: ".")) }
    }

    private static func writeBlob(_ bytes: [UInt8], into out: inout [UInt8]) {
        out += Array("{{".utf8)
        out += Array(Base64.encode(bytes).utf8)
        out += Array("}}".utf8)
    }

    static func writeString(_ text: String, into out: inout [UInt8]) {
        writeQuoted(text, quote: UInt8(ascii: "\""), into: &out)
    }

    private static func writeFieldName(_ name: String, into out: inout [UInt8]) {
        if IonText.isIdentifier(name) {
            out += Array(name.utf8)
        } else {
            writeQuoted(name, quote: UInt8(ascii: "'"), into: &out)
        }
    }

    /// UTF-8 as is, except the quote, the backslash and control characters, which are escaped.
    private static func writeQuoted(_ text: String, quote: UInt8, into out: inout [UInt8]) {
        out.append(quote)
        for byte in text.utf8 {
            switch byte {
            case quote, UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default:
                out.append(byte)
            }
        }
        out.append(quote)
    }
}

/// Lexical rules both directions share.
enum IonText {
    /// Symbols Ion reads as other values when unquoted.
    static let keywords: Set<String> = ["null", "true", "false", "nan"]

    /// `[A-Za-z_][A-Za-z0-9_$]*`, not a keyword: a field name written without quotes. Names
    /// starting with `$` are quoted (`$12` would be a symbol id, `$ion...` are Ion's own).
    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, isIdentifierStart(first), first != UInt8(ascii: "$"), !keywords.contains(text) else {
            return false
        }
        return text.utf8.allSatisfy { isIdentifierStart($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
    }
}
