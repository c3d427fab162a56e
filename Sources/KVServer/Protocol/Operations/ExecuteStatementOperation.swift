import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
enum ExecuteStatementOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        try PartiQLWire.checkShape(request, prefix: "", into: &violations)
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        let limit = try request.integer("Limit")
        violations.range(limit, min: 1, at: "limit")
        let token = try request.string("NextToken")
        violations.length(token, min: 1, max: 32768, at: "nextToken")
        try violations.check()

        let result = try await engine.executeStatement(
            ExecuteStatementRequest(try PartiQLWire.input(request), limit: limit.map { Int(clamping: $0) }, nextToken: token))
        context.usage?.returned(items: result.items.count)
        var fields: [String: JSONValue] = ["Items": .array(result.items.map(AttributeValueWire.responseItem))]
        if let next = result.nextToken { fields["NextToken"] = .string(next) }
        if let last = result.lastEvaluatedKey { fields["LastEvaluatedKey"] = AttributeValueWire.encodeItem(last) }
        return CapacityWire.attach(result.consumedCapacity, mode: try CapacityWire.mode(request), usage: context.usage, to: .object(fields))
    }
}
