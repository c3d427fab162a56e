/// A parsed JSON document. Numbers keep their source text so that no precision is lost.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written in the document, e.g. "10", "1.5e3".
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
    /// Already-encoded JSON text, written verbatim. Only responses use it (items are written
    /// straight to bytes, without building a tree first); the parser never produces it.
    case raw([UInt8])
}

extension JSONValue {
    /// The bytes of the `.raw` fragments in this value and its first levels: nearly all of a
    /// large answer (a page of items written from stored bytes), so that the response buffer is
    /// sized once instead of doubling (and copying) its way up.
    var rawByteCount: Int {
        rawByteCount(depth: 3)
    }

    private func rawByteCount(depth: Int) -> Int {
        switch self {
        case .raw(let bytes): return bytes.count
        case .object(let members) where depth > 0:
            return members.values.reduce(0) { $0 + $1.rawByteCount(depth: depth - 1) }
        case .array(let elements) where depth > 0:
            return elements.reduce(0) { $0 + $1.rawByteCount(depth: depth - 1) }
        default: return 0
        }
    }
}
