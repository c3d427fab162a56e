import KVStore

/// Table names as requests carry them: a plain name or a table ARN.
public enum TableName {
    /// The account id in the ARNs we hand out; all clients share one namespace of tables.
    public static let accountID = "000000000000"
    static let pattern = "[a-zA-Z0-9_.-]+"

    public static func arn(_ name: String, region: String) -> String {
        "arn:aws:dynamodb:\(region):\(accountID):table/\(name)"
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2E || byte == 0x2D
        }
    }

    /// The table name inside `arn:aws:dynamodb:<region>:<account>:table/<name>`, or nil for a plain name.
    static func nameInARN(_ value: String) -> String? {
        guard value.hasPrefix("arn:") else { return nil }
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[2] == "dynamodb", parts[5].hasPrefix("table/") else { return nil }
        let name = parts[5].dropFirst("table/".count)
        guard !name.contains("/") else { return nil }
        return String(name)
    }

    /// Reads and checks `TableName`, adding shape violations; returns the plain table name.
    /// CreateTable, DescribeTable and DeleteTable want 3..255 characters; item operations 1..1024 (an ARN fits).
    static func read(
        _ request: WireObject, field: String = "TableName", path: String = "tableName", minLength: Int,
        into violations: inout ConstraintViolations, required: Bool = true
    ) throws(KVError) -> String? {
        guard let value = try request.string(field) else {
            if required { violations.notNull(nil as String?, at: path) }
            return nil
        }
        if let name = nameInARN(value) {
            violations.pattern(name, pattern, matches: isValidName, at: path)
            violations.length(name, min: 3, max: 255, at: path)
            return name
        }
        // An item operation reports an empty name by its length alone (Parity Suite
        // tier3/error-messages/putItem, validated against DynamoDB); CreateTable by both.
        if !(value.isEmpty && minLength == 1) {
            violations.pattern(value, pattern, matches: isValidName, at: path)
        }
        violations.length(value, min: minLength, max: 255, at: path)
        return value
    }
}
