import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
enum UpdateItemOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 1, into: &violations)
        let keyFields = try ItemRequestFields.key(request, into: &violations)
        let returnValues = try ItemRequestFields.returnValues(request, into: &violations)
        let wantsMetrics = try ItemRequestFields.commonOptions(request, into: &violations)
        let returnOld = try ExpressionParameters.returnOldOnFailure(request, into: &violations)
        try violations.check()
        var expressions = try ExpressionParameters(
            request, expressions: ["UpdateExpression", "ConditionExpression"],
            legacy: ["AttributeUpdates", "Expected", "ConditionalOperator"],
            valueExpressions: ["UpdateExpression", "ConditionExpression"])
        let update = try expressions.update() ?? expressions.legacyUpdate()
        let condition = try expressions.condition("ConditionExpression", kind: .condition)
            ?? expressions.legacyCondition("Expected")
        try expressions.attributes.checkAllUsed()
        let key = try AttributeValueWire.decodeItem(keyFields ?? [:])

        let result = try await engine.updateItem(
            UpdateItemRequest(
                tableName: tableName ?? "", key: key, update: update,
                condition: condition.map { WriteCondition($0, returnOldItemOnFailure: returnOld) },
                returnValues: returnValues ?? .none, returnItemCollectionMetrics: wantsMetrics))
        return CapacityWire.attach(
            result.consumedCapacity, mode: try CapacityWire.mode(request), usage: context.usage, to: ItemRequestFields.attributesResponse(result))
    }
}
