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
