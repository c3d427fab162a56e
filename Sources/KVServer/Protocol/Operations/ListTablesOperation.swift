import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html
enum ListTablesOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let start = try TableName.read(
            request, field: "ExclusiveStartTableName", path: "exclusiveStartTableName", minLength: 3,
            into: &violations, required: false)
        let limit = try request.integer("Limit")
        violations.range(limit, min: 1, max: 100, at: "limit")
        try violations.check()
        let result = engine.listTables(exclusiveStartTableName: start, limit: Int(limit ?? 100))
        var response: [String: JSONValue] = ["TableNames": .array(result.tableNames.map { .string($0) })]
        if let last = result.lastEvaluatedTableName {
            response["LastEvaluatedTableName"] = .string(last)
        }
        return .object(response)
    }
}
