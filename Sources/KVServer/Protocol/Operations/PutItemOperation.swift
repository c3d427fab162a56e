import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
enum PutItemOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 1, into: &violations)
        let itemFields = try request.map("Item")
        violations.notNull(itemFields, at: "item")
        let returnValues = try ItemRequestFields.returnValues(request, into: &violations)
        let wantsMetrics = try ItemRequestFields.commonOptions(request, into: &violations)
        let returnOld = try ExpressionParameters.returnOldOnFailure(request, into: &violations)
        try violations.check()
        try ItemRequestFields.requireOldOrNone(returnValues)
        let condition = try ItemRequestFields.writeCondition(request, returnOld: returnOld)
        let item = try AttributeValueWire.decodeItem(itemFields ?? [:])

        let capacityMode = try CapacityWire.mode(request)
        var put = PutItemRequest(
            tableName: tableName ?? "", item: item, returnValues: returnValues ?? .none,
            condition: condition,
            returnItemCollectionMetrics: wantsMetrics)
        // Only a client that asks pays for reading the old item's size (max(old, new) is what
        // DynamoDB charges); the metrics count the new item's size otherwise (README, Metrics).
        put.measuresCapacity = capacityMode != nil
        let result = try await engine.putItem(put)
        return CapacityWire.attach(result.consumedCapacity, mode: capacityMode, usage: context.usage, to: ItemRequestFields.attributesResponse(result))
    }
}
