/// Writes `JSONValue`s as compact RFC 8259 JSON (UTF-8, no insignificant whitespace).
///
/// Strings are escaped as `JSONEscaping` says; everything else is written as raw UTF-8. Numbers are
/// written as their stored text, which the producer must keep valid. Object member order
/// follows the dictionary's iteration order.
public enum JSONWriter {
    /// Appends the JSON text of `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null:
            out.append(contentsOf: literalNull)
        case .bool(let flag):
            out.append(contentsOf: flag ? literalTrue : literalFalse)
        case .number(let text):
            out.append(contentsOf: text.utf8)
        case .string(let text):
            writeString(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .raw(let bytes):
            out.append(contentsOf: bytes)
        }
    }

    /// The JSON text of `value`.
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// Appends `text` as a quoted, escaped JSON string.
    public static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let handled: Void? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            writeEscaped(UnsafeRawBufferPointer(utf8), into: &out)
        }
        if handled == nil {
            var copy = text
            copy.withUTF8 { utf8 in writeEscaped(UnsafeRawBufferPointer(utf8), into: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var runStart = 0
        while true {
            let next = JSONEscaping.nextEscape(in: bytes, from: runStart)
            if next > runStart { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<next])) }
            guard next < bytes.count else { return }
            out.append(contentsOf: JSONEscaping.sequence(for: bytes[next]))
            runStart = next + 1
        }
    }

    private static let literalNull: [UInt8] = Array("null".utf8)
    private static let literalTrue: [UInt8] = Array("true".utf8)
    private static let literalFalse: [UInt8] = Array("false".utf8)
}
