/// Items from Amazon Ion text, the subset DynamoDB's exports write and ImportTable reads
/// (InputFormat ION): top-level `{Item:{...}}` structs, each usually after a `$ion_1_0`
/// version marker, with the type mapping of `IonTextWriter`, read back:
/// string and symbol -> S, int, decimal and float -> N, blob and clob -> B, bool -> BOOL,
/// null (any typed null) -> NULL, list -> L (or SS/NS/BS under `$dynamodb_SS`, `$dynamodb_NS`,
/// `$dynamodb_BS`), struct -> M. Comments, long strings ('''...''') and `\x`/`\u`/`\U` escapes
/// are read; s-expressions, timestamps and hexadecimal numbers are not (an error for the item).
/// See https://amazon-ion.github.io/ion-docs/docs/spec.html (text encoding).
struct IonTextReader {
    /// A value that cannot be read, or one DynamoDB has no type for.
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var position = 0
    /// Nesting bound: input is client data, and recursion must not exhaust the stack.
    private static let maxDepth = 64

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The next top-level `{Item: ...}` as an item, skipping version markers; nil at the end.
    /// - Throws: `Malformed` for a value that cannot be read (reading cannot go on after it).
    mutating func nextItem() throws(Malformed) -> Item? {
        while true {
            skipWhitespace()
            guard position < bytes.count else { return nil }
            let value = try readValue(depth: 0)
            if case .symbol(IonTextWriter.versionMarker) = value { continue }
            guard case .structure(let fields) = value, let item = fields["Item"], case .map(let attributes) = try item.attributeValue()
            else { throw Malformed() }
            return attributes
        }
    }

    /// Moves past the next newline (after a value that could not be read).
    mutating func skipLine() {
        while let byte = peek() {
            position += 1
            if byte == 0x0A { return }
        }
    }

    /// A parsed value before it becomes an AttributeValue (symbols stay apart to find markers).
    private indirect enum Value {
        case symbol(String)
        case attribute(AttributeValue)
        case list([Value], annotation: String?)
        case structure([String: Value])

        func attributeValue() throws(Malformed) -> AttributeValue {
            switch self {
            case .symbol(let text): return .string(text)
            case .attribute(let value): return value
            case .structure(let fields):
                var map: [String: AttributeValue] = [:]
                for (name, value) in fields { map[name] = try value.attributeValue() }
                return .map(map)
            case .list(let values, let annotation):
                let converted = try values.map { value throws(Malformed) in try value.attributeValue() }
                switch annotation {
                case IonTextWriter.stringSetAnnotation?:
                    return .stringSet(try converted.map { value throws(Malformed) in
                        guard case .string(let text) = value else { throw Malformed() }
                        return text
                    })
                case IonTextWriter.numberSetAnnotation?:
                    return .numberSet(try converted.map { value throws(Malformed) in
                        guard case .number(let number) = value else { throw Malformed() }
                        return number
                    })
                case IonTextWriter.binarySetAnnotation?:
                    return .binarySet(try converted.map { value throws(Malformed) in
                        guard case .binary(let blob) = value else { throw Malformed() }
                        return blob
                    })
                default:
                    return .list(converted)
                }
            }
        }
    }

    // MARK: - Values

    private mutating func readValue(depth: Int) throws(Malformed) -> Value {
        guard depth < Self.maxDepth else { throw Malformed() }
        skipWhitespace()
        var annotation: String?
        // Annotations: `name::` (only the last one matters to DynamoDB's sets).
        while let symbol = peekAnnotation() {
            annotation = symbol
            skipWhitespace()
        }
        guard let byte = peek() else { throw Malformed() }
        switch byte {
        case UInt8(ascii: "{"):
            if peek(offset: 1) == UInt8(ascii: "{") { return .attribute(.binary(try readLob())) }
            return .structure(try readStruct(depth: depth))
        case UInt8(ascii: "["):
            return .list(try readList(depth: depth), annotation: annotation)
        case UInt8(ascii: "\""):
            return .attribute(.string(try readShortString()))
        case UInt8(ascii: "'"):
            if peek(offset: 1) == UInt8(ascii: "'"), peek(offset: 2) == UInt8(ascii: "'") {
                return .attribute(.string(try readLongStrings()))
            }
            return .symbol(try readQuotedSymbol())
        case UInt8(ascii: "-"), UInt8(ascii: "+"), 0x30...0x39:
            return .attribute(.number(try readNumber()))
        default:
            guard IonText.isIdentifierStart(byte) else { throw Malformed() }
            let word = readIdentifier()
            switch word {
            case "true": return .attribute(.bool(true))
            case "false": return .attribute(.bool(false))
            case "null":
                // Typed nulls (`null.string`) are nulls too.
                if peek() == UInt8(ascii: ".") {
                    position += 1
                    _ = readIdentifier()
                }
                return .attribute(.null)
            case "nan": throw Malformed()
            default: return .symbol(word)
            }
        }
    }

    private mutating func readStruct(depth: Int) throws(Malformed) -> [String: Value] {
        position += 1
        var fields: [String: Value] = [:]
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw Malformed() }
            if byte == UInt8(ascii: "}") {
                position += 1
                return fields
            }
            let name: String
            switch byte {
            case UInt8(ascii: "\""): name = try readShortString()
            case UInt8(ascii: "'"): name = try readQuotedSymbol()
            default:
                guard IonText.isIdentifierStart(byte) else { throw Malformed() }
                name = readIdentifier()
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw Malformed() }
            position += 1
            fields[name] = try readValue(depth: depth + 1)
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                position += 1
            } else if peek() != UInt8(ascii: "}") {
                throw Malformed()
            }
        }
    }

    private mutating func readList(depth: Int) throws(Malformed) -> [Value] {
        position += 1
        var values: [Value] = []
        while true {
            skipWhitespace()
            guard let byte = peek() else { throw Malformed() }
            if byte == UInt8(ascii: "]") {
                position += 1
                return values
            }
            values.append(try readValue(depth: depth + 1))
            skipWhitespace()
            if peek() == UInt8(ascii: ",") {
                position += 1
            } else if peek() != UInt8(ascii: "]") {
                throw Malformed()
            }
        }
    }

    /// `{{ base64 }}` (blob) or `{{ "text" }}` (clob), as bytes.
    private mutating func readLob() throws(Malformed) -> [UInt8] {
        position += 2
        skipWhitespace()
        var result: [UInt8]
        if peek() == UInt8(ascii: "\"") {
            result = Array(try readShortString().utf8)
        } else {
            var text: [UInt8] = []
            while let byte = peek(), byte != UInt8(ascii: "}") {
                if !Self.isWhitespace(byte) { text.append(byte) }
                position += 1
            }
            do {
                result = try Base64.decode(String(decoding: text, as: UTF8.self))
            } catch {
                throw Malformed()
            }
        }
        skipWhitespace()
        guard peek() == UInt8(ascii: "}"), peek(offset: 1) == UInt8(ascii: "}") else { throw Malformed() }
        position += 2
        return result
    }

    /// Ion int, decimal (`1.5`, `103.`, `1d10`) or float (`2e3`) as a DynamoDB number.
    private mutating func readNumber() throws(Malformed) -> Number {
        var text: [UInt8] = []
        while let byte = peek(), !Self.endsValue(byte) {
            switch byte {
            case UInt8(ascii: "_"): break
            case UInt8(ascii: "d"), UInt8(ascii: "D"), UInt8(ascii: "e"), UInt8(ascii: "E"):
                if text.last == UInt8(ascii: ".") { text.removeLast() }
                text.append(UInt8(ascii: "E"))
            default: text.append(byte)
            }
            position += 1
        }
        if text.last == UInt8(ascii: ".") { text.removeLast() }
        guard !text.contains(where: { $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") || $0 == UInt8(ascii: "b") }),
            let number = try? Number(parsing: String(decoding: text, as: UTF8.self))
        else { throw Malformed() }
        return number
    }

    private mutating func readIdentifier() -> String {
        let start = position
        while let byte = peek(), IonText.isIdentifierStart(byte) || (byte >= 0x30 && byte <= 0x39) {
            position += 1
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// `name::` ahead (an identifier or quoted symbol): consumed and returned; else nothing moves.
    private mutating func peekAnnotation() -> String? {
        let start = position
        guard let byte = peek() else { return nil }
        var name: String?
        if byte == UInt8(ascii: "'"), peek(offset: 1) != UInt8(ascii: "'") {
            name = try? readQuotedSymbol()
        } else if IonText.isIdentifierStart(byte) {
            name = readIdentifier()
        }
        skipWhitespace()
        if let name, peek() == UInt8(ascii: ":"), peek(offset: 1) == UInt8(ascii: ":") {
            position += 2
            return name
        }
        position = start
        return nil
    }

    private mutating func readShortString() throws(Malformed) -> String {
        try readQuoted(UInt8(ascii: "\""))
    }

    private mutating func readQuotedSymbol() throws(Malformed) -> String {
        try readQuoted(UInt8(ascii: "'"))
    }

    /// One or more `'''...'''` parts, concatenated as Ion does.
    private mutating func readLongStrings() throws(Malformed) -> String {
        var result = ""
        while peek() == UInt8(ascii: "'"), peek(offset: 1) == UInt8(ascii: "'"), peek(offset: 2) == UInt8(ascii: "'") {
            position += 3
            var part: [UInt8] = []
            while true {
                guard let byte = peek() else { throw Malformed() }
                if byte == UInt8(ascii: "'"), peek(offset: 1) == UInt8(ascii: "'"), peek(offset: 2) == UInt8(ascii: "'") {
                    position += 3
                    break
                }
                if byte == UInt8(ascii: "\\") {
                    try readEscape(into: &part)
                } else {
                    part.append(byte)
                    position += 1
                }
            }
            result += String(decoding: part, as: UTF8.self)
            let afterPart = position
            skipWhitespace()
            if !(peek() == UInt8(ascii: "'") && peek(offset: 1) == UInt8(ascii: "'") && peek(offset: 2) == UInt8(ascii: "'")) {
                position = afterPart
                break
            }
        }
        return result
    }

    private mutating func readQuoted(_ quote: UInt8) throws(Malformed) -> String {
        position += 1
        var text: [UInt8] = []
        while true {
            guard let byte = peek(), byte != 0x0A else { throw Malformed() }
            if byte == quote {
                position += 1
                return String(decoding: text, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                try readEscape(into: &text)
            } else {
                text.append(byte)
                position += 1
            }
        }
    }

    private mutating func readEscape(into text: inout [UInt8]) throws(Malformed) {
        position += 1
        guard let code = peek() else { throw Malformed() }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09, UInt8(ascii: "0"): 0,
            UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "v"): 0x0B,
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "'"): 0x27, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
            UInt8(ascii: "?"): 0x3F,
        ]
        if let byte = simple[code] {
            text.append(byte)
            return
        }
        let digits: Int
        switch code {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        case 0x0A: return  // an escaped newline continues the string
        default: throw Malformed()
        }
        var scalar: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = peek(), let value = Self.hexValue(digit) else { throw Malformed() }
            scalar = scalar << 4 | UInt32(value)
            position += 1
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
        text += Array(String(Character(unicode)).utf8)
    }

    // MARK: - Bytes

    private func peek(offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    /// Whitespace and comments (`// ...` and `/* ... */`).
    private mutating func skipWhitespace() {
        while let byte = peek() {
            if Self.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "/"), peek(offset: 1) == UInt8(ascii: "/") {
                while let next = peek(), next != 0x0A { position += 1 }
            } else if byte == UInt8(ascii: "/"), peek(offset: 1) == UInt8(ascii: "*") {
                position += 2
                while position < bytes.count, !(peek() == UInt8(ascii: "*") && peek(offset: 1) == UInt8(ascii: "/")) {
                    position += 1
                }
                position = min(bytes.count, position + 2)
            } else {
                return
            }
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0B || byte == 0x0C
    }

    private static func endsValue(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}")
            || byte == UInt8(ascii: ")") || byte == UInt8(ascii: "/")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
