import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
enum DeleteItemOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 1, into: &violations)
        let keyFields = try ItemRequestFields.key(request, into: &violations)
        let returnValues = try ItemRequestFields.returnValues(request, into: &violations)
        let wantsMetrics = try ItemRequestFields.commonOptions(request, into: &violations)
        let returnOld = try ExpressionParameters.returnOldOnFailure(request, into: &violations)
        try violations.check()
        try ItemRequestFields.requireOldOrNone(returnValues)
        let condition = try ItemRequestFields.writeCondition(request, returnOld: returnOld)
        let key = try AttributeValueWire.decodeItem(keyFields ?? [:])

        let result = try await engine.deleteItem(
            DeleteItemRequest(
                tableName: tableName ?? "", key: key, returnValues: returnValues ?? .none,
                condition: condition,
                returnItemCollectionMetrics: wantsMetrics))
        return CapacityWire.attach(
            result.consumedCapacity, mode: try CapacityWire.mode(request), usage: context.usage, to: ItemRequestFields.attributesResponse(result))
    }
}
