import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
enum TransactGetItemsOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        let items = try TransactWire.items(request, into: &violations)
        var objects: [WireObject] = []
        for (offset, element) in items.enumerated() {
            let item = try WireObject(element)
            let path = "transactItems.\(offset + 1).member.get"
            guard let get = try item.object("Get") else {
                violations.notNull(nil as String?, at: path)
                continue
            }
            _ = try TableName.read(get, path: "\(path).tableName", minLength: 1, into: &violations)
            violations.notNull(try get.map("Key"), at: "\(path).key")
            objects.append(get)
        }
        try violations.check()

        var gets: [TransactGet] = []
        for get in objects {
            var expressions = try ExpressionParameters(get, expressions: ["ProjectionExpression"], legacy: [])
            let projection = try expressions.projection()
            try expressions.attributes.checkAllUsed()
            gets.append(
                TransactGet(
                    tableName: BatchWire.tableName(try get.string("TableName") ?? ""),
                    key: try AttributeValueWire.decodeItem(try get.map("Key") ?? [:]), projection: projection))
        }
        let mode = try CapacityWire.mode(request)
        let result = try await engine.transactGetItems(gets)
        let responses: [JSONValue] = result.items.map { item in
            guard let item else { return .object([:]) }
            return .object(["Item": AttributeValueWire.responseItem(item)])
        }
        return CapacityWire.attach(list: result.consumedCapacity, mode: mode, usage: context.usage, to: .object(["Responses": .array(responses)]))
    }
}
