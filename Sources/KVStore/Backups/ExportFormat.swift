/// How an export writes its data lines: `ExportFormat` DYNAMODB_JSON (`{"Item":{...}}`, data
/// files `*.json.gz`) or ION (`$ion_1_0 {Item:{...}}`, `*.ion.gz`). Full exports write one
/// `Item` per line; incremental exports `Metadata`, `Keys`, `OldImage` and `NewImage`.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
public struct ExportFormat: Sendable {
    /// The wire name: DYNAMODB_JSON or ION.
    public let name: String
    /// The data files' suffix.
    let fileExtension: String
    /// An item as a value of the format (a DynamoDB JSON object, an Ion struct).
    let encodeItem: @Sendable (Item) -> [UInt8]
    /// A write time in microseconds as a value (`{"N":"..."}`, an Ion decimal).
    let encodeMicros: @Sendable (Int64) -> [UInt8]
    /// What starts each line (Ion's version marker).
    let lineStart: [UInt8]
    let quotesFieldNames: Bool

    /// - Parameter encodeItem: an item in DynamoDB JSON (the wire format lives in the protocol layer).
    public static func dynamoDBJSON(encodeItem: @escaping @Sendable (Item) -> [UInt8]) -> ExportFormat {
        ExportFormat(
            name: "DYNAMODB_JSON", fileExtension: ".json.gz", encodeItem: encodeItem,
            encodeMicros: { Array(#"{"N":""#.utf8) + Array(String($0).utf8) + Array(#""}"#.utf8) },
            lineStart: [], quotesFieldNames: true)
    }

    public static let ion = ExportFormat(
        name: "ION", fileExtension: ".ion.gz",
        encodeItem: { item in
            var out: [UInt8] = []
            IonTextWriter.write(.map(item), into: &out)
            return out
        },
        encodeMicros: { Array(String($0).utf8) + [UInt8(ascii: ".")] },
        lineStart: Array((IonTextWriter.versionMarker + " ").utf8), quotesFieldNames: false)

    /// One line: `{name: value, ...}` and a newline; `fields` are already encoded values.
    func line(_ fields: [(name: String, value: [UInt8])]) -> [UInt8] {
        lineStart + object(fields) + [0x0A]
    }

    /// `{name: value, ...}` (a JSON object, an Ion struct) of encoded values.
    func object(_ fields: [(name: String, value: [UInt8])]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (position, field) in fields.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            if quotesFieldNames {
                out += [UInt8(ascii: "\"")] + Array(field.name.utf8) + [UInt8(ascii: "\"")]
            } else {
                out += Array(field.name.utf8)
            }
            out.append(UInt8(ascii: ":"))
            out += field.value
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
