public import KVStore

/// Collects request shape violations and reports them the way DynamoDB does:
/// "N validation error(s) detected: Value 'x' at 'path' failed to satisfy constraint: Member must ...".
public struct ConstraintViolations: Sendable {
    public private(set) var messages: [String] = []

    public init() {}

    public mutating func add(value: String?, at path: String, _ constraint: String) {
        let shown = value.map { "'\($0)'" } ?? "null"
        messages.append("Value \(shown) at '\(path)' failed to satisfy constraint: Member must \(constraint)")
    }

    /// A violation whose constraint text does not start with "Member must" (map key/value constraints).
    public mutating func add(value: String?, at path: String, constraint: String) {
        let shown = value.map { "'\($0)'" } ?? "null"
        messages.append("Value \(shown) at '\(path)' failed to satisfy constraint: \(constraint)")
    }

    /// A message built by another collector, kept in order.
    public mutating func add(raw message: String) {
        messages.append(message)
    }

    public mutating func notNull(_ value: Any?, at path: String) {
        if value == nil { add(value: nil, at: path, "not be null") }
    }

    public mutating func oneOf(_ value: String?, _ allowed: [String], at path: String) {
        guard let value, !allowed.contains(value) else { return }
        add(value: value, at: path, "satisfy enum value set: [\(allowed.joined(separator: ", "))]")
    }

    public mutating func length(_ value: String?, min: Int? = nil, max: Int? = nil, at path: String) {
        guard let value else { return }
        let count = value.count
        if let min, count < min { add(value: value, at: path, "have length greater than or equal to \(min)") }
        if let max, count > max { add(value: value, at: path, "have length less than or equal to \(max)") }
    }

    public mutating func range(_ value: Int64?, min: Int64? = nil, max: Int64? = nil, at path: String) {
        guard let value else { return }
        if let min, value < min { add(value: String(value), at: path, "have value greater than or equal to \(min)") }
        if let max, value > max { add(value: String(value), at: path, "have value less than or equal to \(max)") }
    }

    public mutating func count(_ elements: [some Any]?, rendered: String, min: Int? = nil, max: Int? = nil, at path: String) {
        guard let elements else { return }
        if let min, elements.count < min { add(value: rendered, at: path, "have length greater than or equal to \(min)") }
        if let max, elements.count > max { add(value: rendered, at: path, "have length less than or equal to \(max)") }
    }

    public mutating func pattern(_ value: String?, _ pattern: String, matches: (String) -> Bool, at path: String) {
        guard let value, !matches(value) else { return }
        add(value: value, at: path, "satisfy regular expression pattern: \(pattern)")
    }

    public func check() throws(KVError) {
        guard !messages.isEmpty else { return }
        throw KVError.constraints(messages)
    }
}
