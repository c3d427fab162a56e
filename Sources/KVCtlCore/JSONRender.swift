import KVServer

/// JSON text for people and pipes: object members sorted by key (so output is stable),
/// either compact (one line) or indented by two spaces.
enum JSONRender {
    static func compact(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        write(value, indent: nil, level: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func pretty(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        write(value, indent: 2, level: 0, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ value: JSONValue, indent: Int?, level: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let elements):
            if elements.isEmpty {
                out.append(contentsOf: Array("[]".utf8))
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent, level + 1, &out)
                write(element, indent: indent, level: level + 1, into: &out)
            }
            newline(indent, level, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                out.append(contentsOf: Array("{}".utf8))
                return
            }
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent, level + 1, &out)
                JSONWriter.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                if let member = members[key] { write(member, indent: indent, level: level + 1, into: &out) }
            }
            newline(indent, level, &out)
            out.append(UInt8(ascii: "}"))
        default:
            JSONWriter.write(value, into: &out)
        }
    }

    private static func newline(_ indent: Int?, _ level: Int, _ out: inout [UInt8]) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }
}

extension JSONValue {
    subscript(member: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[member]
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The integer value of a JSON number (or of a string of digits, as CloudFormation allows).
    var intValue: Int? {
        switch self {
        case .number(let text), .string(let text): return Int(text)
        default: return nil
        }
    }
}

/// Parses a JSON command-line argument or file, naming what it was in the error.
func parseJSON(_ text: String, what: String) throws -> JSONValue {
    do {
        return try JSONParser.parse(text)
    } catch {
        throw CLIError.usage("\(what) is not valid JSON: \(error)")
    }
}
