import KVStore

/// What BatchGetItem and BatchWriteItem share: the `RequestItems` map and its table-name keys.
enum BatchWire {
    static let mapKeyConstraint =
        "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"

    /// Reads `RequestItems`, reporting a missing map and invalid table names
    /// ("Value '{...}' at 'requestItems' failed to satisfy constraint: Map keys must ...",
    /// as dynalite's test/batchWriteItem.js records). Returns the entries sorted by name.
    ///
    /// - Throws: at once for an empty map, before any other check: "The requestItems parameter is
    ///   required for <operation>" (Parity Suite tier3/error-messages, validated against DynamoDB;
    ///   dynalite test/batchGetItem.js records the same text).
    static func requestItems(
        _ request: WireObject, operation: String, into violations: inout ConstraintViolations
    ) throws(KVError) -> [(key: String, value: JSONValue)]? {
        guard let map = try request.map("RequestItems") else {
            violations.notNull(nil as String?, at: "requestItems")
            return nil
        }
        if map.isEmpty {
            throw KVError.validation("The requestItems parameter is required for \(operation)")
        }
        let entries = map.sorted { $0.key < $1.key }
        if entries.contains(where: { !isValidTableKey($0.key) }) {
            violations.add(value: render(entries), at: "requestItems", constraint: mapKeyConstraint)
        }
        return entries
    }

    /// A table name of 3...255 characters of `[a-zA-Z0-9_.-]`, or a table ARN naming one.
    static func isValidTableKey(_ key: String) -> Bool {
        let name = TableName.nameInARN(key) ?? key
        return TableName.isValidName(name) && name.count >= 3 && name.count <= 255
    }

    /// The plain table name of a `RequestItems` key.
    static func tableName(_ key: String) -> String {
        TableName.nameInARN(key) ?? key
    }

    /// An approximation of how DynamoDB's Java front end prints the map in messages.
    static func render(_ entries: [(key: String, value: JSONValue)]) -> String {
        "{" + entries.map { "\($0.key)=\(summary($0.value))" }.joined(separator: ", ") + "}"
    }

    static func summary(_ value: JSONValue) -> String {
        switch value {
        case .array(let elements): "[" + Array(repeating: "...", count: min(elements.count, 1)).joined() + "]"
        case .object: "{...}"
        default: "..."
        }
    }
}
