import KVServer

/// What kvctl needs from a DescribeTable answer, and its summary for people.
struct TableInfo {
    var description: JSONValue

    var keyNames: [String] { Self.keyNames(description["KeySchema"]) }
    var status: String { description["TableStatus"]?.stringValue ?? "?" }
    var latestStreamArn: String? { description["LatestStreamArn"]?.stringValue }

    static func fetch(_ name: String, client: DynamoDBClient) async throws -> TableInfo {
        let response = try await client.call("DescribeTable", .object(["TableName": .string(name)]))
        return TableInfo(description: response["Table"] ?? .object([:]))
    }

    /// Key attribute names of a table or index key schema, HASH first.
    static func keyNames(_ schema: JSONValue?) -> [String] {
        let elements = schema?.arrayValue ?? []
        let hash = elements.filter { $0["KeyType"]?.stringValue == "HASH" }
        let range = elements.filter { $0["KeyType"]?.stringValue != "HASH" }
        return (hash + range).compactMap { $0["AttributeName"]?.stringValue }
    }

    /// Name/value lines: keys with types, counts, billing, stream and indexes.
    var summary: String {
        var types: [String: String] = [:]
        for definition in description["AttributeDefinitions"]?.arrayValue ?? [] {
            if let name = definition["AttributeName"]?.stringValue {
                types[name] = definition["AttributeType"]?.stringValue ?? "?"
            }
        }
        func keys(_ schema: JSONValue?) -> String {
            Self.keyNames(schema).map { "\($0) (\(types[$0] ?? "?"))" }.joined(separator: ", ")
        }
        var pairs: [(String, String)] = [
            ("Table", description["TableName"]?.stringValue ?? "?"),
            ("Status", status),
            ("Key", keys(description["KeySchema"])),
            ("Items", description["ItemCount"].map(TableText.cell) ?? "?"),
            ("Size (bytes)", description["TableSizeBytes"].map(TableText.cell) ?? "?"),
            ("Billing", description["BillingModeSummary"]?["BillingMode"]?.stringValue ?? "PROVISIONED"),
        ]
        if let stream = description["StreamSpecification"], stream["StreamEnabled"]?.boolValue == true {
            pairs.append(("Stream", stream["StreamViewType"]?.stringValue ?? "enabled"))
            if let arn = latestStreamArn { pairs.append(("Stream ARN", arn)) }
        }
        for (kind, field) in [("GSI", "GlobalSecondaryIndexes"), ("LSI", "LocalSecondaryIndexes")] {
            for index in description[field]?.arrayValue ?? [] {
                let name = index["IndexName"]?.stringValue ?? "?"
                let projection = index["Projection"]?["ProjectionType"]?.stringValue ?? "?"
                pairs.append((kind, "\(name): \(keys(index["KeySchema"])), projection \(projection)"))
            }
        }
        if let arn = description["TableArn"]?.stringValue { pairs.append(("ARN", arn)) }
        return TableText.pairs(pairs)
    }
}
