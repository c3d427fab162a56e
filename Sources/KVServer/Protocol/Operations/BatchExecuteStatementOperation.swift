import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
enum BatchExecuteStatementOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        let statements = try request.array("Statements")
        violations.notNull(statements, at: "statements")
        violations.count(statements, rendered: "[]", min: 1, at: "statements")
        violations.count(statements, rendered: "[...]", max: KVEngine.maxBatchStatements, at: "statements")
        var objects: [WireObject] = []
        for (offset, element) in (statements ?? []).enumerated() {
            let object = try WireObject(element)
            try PartiQLWire.checkShape(object, prefix: "statements.\(offset + 1).member.", into: &violations)
            objects.append(object)
        }
        try violations.check()

        var inputs: [PartiQLStatementInput] = []
        for object in objects { inputs.append(try PartiQLWire.input(object)) }
        let result = try await engine.batchExecuteStatement(inputs)
        let responses: [JSONValue] = result.outcomes.map { outcome in
            var fields: [String: JSONValue] = [:]
            if let table = outcome.tableName { fields["TableName"] = .string(table) }
            if let error = outcome.error {
                fields["Error"] = PartiQLWire.error(error)
            } else if let item = outcome.item {
                fields["Item"] = AttributeValueWire.responseItem(item)
            }
            return .object(fields)
        }
        return CapacityWire.attach(
            list: result.consumedCapacity, mode: try CapacityWire.mode(request), usage: context.usage, to: .object(["Responses": .array(responses)]))
    }
}
