import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
enum ExecuteTransactionOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let statements = try request.array("TransactStatements")
        violations.notNull(statements, at: "transactStatements")
        violations.count(statements, rendered: "[]", min: 1, at: "transactStatements")
        violations.count(statements, rendered: "[...]", max: KVEngine.maxTransactionActions, at: "transactStatements")
        var objects: [WireObject] = []
        for (offset, element) in (statements ?? []).enumerated() {
            let object = try WireObject(element)
            try PartiQLWire.checkShape(object, prefix: "transactStatements.\(offset + 1).member.", into: &violations)
            objects.append(object)
        }
        let token = try request.string("ClientRequestToken")
        violations.length(token, min: 1, max: 36, at: "clientRequestToken")
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        try violations.check()

        var inputs: [PartiQLStatementInput] = []
        for object in objects { inputs.append(try PartiQLWire.input(object)) }
        let clientToken = token.map { (token: $0, fingerprint: RequestFingerprint.of(.array(statements ?? []))) }
        let result = try await engine.executeTransaction(inputs, clientToken: clientToken)
        var fields: [String: JSONValue] = [:]
        if result.isRead {
            fields["Responses"] = .array(
                result.items.map { item in item.map { .object(["Item": AttributeValueWire.responseItem($0)]) } ?? .object([:]) })
        }
        return CapacityWire.attach(list: result.consumedCapacity, mode: try CapacityWire.mode(request), usage: context.usage, to: .object(fields))
    }
}
