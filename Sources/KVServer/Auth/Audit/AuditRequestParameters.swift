import KVStore

/// The `requestParameters` of an audit record: an allowlist of request members that name
/// tables and indexes or choose options. Anything else (items, keys, expressions, their
/// values, PartiQL statements, tokens) is never looked at.
enum AuditRequestParameters {
    /// Scalar members copied as they are, under CloudTrail's lower-camel-case names.
    static let options: [(wire: String, audit: String)] = [
        ("TableName", "tableName"), ("IndexName", "indexName"), ("Select", "select"),
        ("ReturnValues", "returnValues"), ("ReturnConsumedCapacity", "returnConsumedCapacity"),
        ("ReturnItemCollectionMetrics", "returnItemCollectionMetrics"),
        ("ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure"),
        ("ConsistentRead", "consistentRead"), ("Limit", "limit"), ("ScanIndexForward", "scanIndexForward"),
        ("Segment", "segment"), ("TotalSegments", "totalSegments"), ("BillingMode", "billingMode"),
        ("StreamArn", "streamArn"), ("ShardId", "shardId"), ("ShardIteratorType", "shardIteratorType"),
        ("ResourceArn", "resourceArn"), ("ExclusiveStartTableName", "exclusiveStartTableName"),
    ]

    /// The parameters, and the names of the tables the request touches.
    static func extract(from request: JSONValue) -> ([String: JSONValue], [String]) {
        guard case .object(let fields) = request else { return ([:], []) }
        var parameters: [String: JSONValue] = [:]
        var tables: [String] = []
        for option in options {
            switch fields[option.wire] {
            case .string(let text)?: parameters[option.audit] = .string(text)
            case .bool(let flag)?: parameters[option.audit] = .bool(flag)
            case .number(let text)?: parameters[option.audit] = .number(text)
            default: break
            }
        }
        if case .string(let table)? = fields["TableName"] { tables.append(table) }
        if case .string(let arn)? = fields["StreamArn"], let table = tableName(inARN: arn) { tables.append(table) }
        if case .object(let requestItems)? = fields["RequestItems"] {
            let names = requestItems.keys.sorted()
            parameters["requestItems"] = .array(names.map { .object(["tableName": .string($0)]) })
            tables.append(contentsOf: names)
        }
        if case .array(let items)? = fields["TransactItems"] {
            var described: [JSONValue] = []
            for item in items {
                guard case .object(let wrapper) = item else { continue }
                for (kind, inner) in wrapper.sorted(by: { $0.key < $1.key }) {
                    guard case .object(let innerFields) = inner, case .string(let table)? = innerFields["TableName"]
                    else { continue }
                    described.append(.object(["operation": .string(kind), "tableName": .string(table)]))
                    if !tables.contains(table) { tables.append(table) }
                }
            }
            parameters["transactItems"] = .array(described)
        }
        return (parameters, tables)
    }

    /// `T` of `arn:aws:dynamodb:REGION:ACCOUNT:table/T/stream/LABEL`.
    static func tableName(inARN arn: String) -> String? {
        let parts = arn.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasSuffix(":table") else { return nil }
        return String(parts[1])
    }
}
