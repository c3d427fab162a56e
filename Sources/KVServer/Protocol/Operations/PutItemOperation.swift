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
        if let returnValues, returnValues != .none, returnValues != .allOld {
            throw KVError.validation("ReturnValues can only be ALL_OLD or NONE")
        }
        var expressions = try ExpressionParameters(
            request, expressions: ["ConditionExpression"], legacy: ["Expected", "ConditionalOperator"],
            valueExpressions: ["ConditionExpression"])
        let condition = try expressions.condition("ConditionExpression", kind: .condition)
            ?? expressions.legacyCondition("Expected", isFilter: false)
        try expressions.attributes.checkAllUsed()
        let item = try AttributeValueWire.decodeItem(itemFields ?? [:])

        let capacityMode = try CapacityWire.mode(request)
        var put = PutItemRequest(
            tableName: tableName ?? "", item: item, returnValues: returnValues ?? .none,
            condition: condition.map { WriteCondition($0, returnOldItemOnFailure: returnOld) },
            returnItemCollectionMetrics: wantsMetrics)
        put.measuresCapacity = capacityMode != nil
        let result = try await engine.putItem(put)
        return CapacityWire.attach(result.consumedCapacity, mode: capacityMode, to: ItemRequestFields.attributesResponse(result))
    }
}
