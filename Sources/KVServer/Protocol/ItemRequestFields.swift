import KVStore

/// Parameters shared by the item operations, read with their wire rules.
enum ItemRequestFields {
    static let returnValuesSet = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"]

    static func returnValues(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError)
        -> ReturnValues?
    {
        let text = try request.string("ReturnValues")
        violations.oneOf(text, returnValuesSet, at: "returnValues")
        return text.flatMap(ReturnValues.init(rawValue:))
    }

    /// Checks ReturnConsumedCapacity and ReturnItemCollectionMetrics; true when the latter is SIZE.
    @discardableResult
    static func commonOptions(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) -> Bool {
        violations.oneOf(try request.string("ReturnConsumedCapacity"), ["INDEXES", "TOTAL", "NONE"], at: "returnConsumedCapacity")
        let metrics = try request.string("ReturnItemCollectionMetrics")
        violations.oneOf(metrics, ["SIZE", "NONE"], at: "returnItemCollectionMetrics")
        return metrics == "SIZE"
    }

    static func key(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) -> [String: JSONValue]? {
        let key = try request.map("Key")
        violations.notNull(key, at: "key")
        return key
    }
}

extension ItemRequestFields {
    /// `{}` or `{"Attributes": ...}` for single-item writes.
    static func attributesResponse(_ result: WriteResult) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        if let attributes = result.attributes {
            fields["Attributes"] = AttributeValueWire.responseItem(attributes)
        }
        if let metrics = result.itemCollection {
            let (low, high) = metrics.sizeEstimateRangeGB
            fields["ItemCollectionMetrics"] = .object([
                "ItemCollectionKey": AttributeValueWire.responseItem(metrics.key),
                "SizeEstimateRangeGB": .array([.number(String(low)), .number(String(high))]),
            ])
        }
        return .object(fields)
    }
}

extension ItemRequestFields {
    /// PutItem and DeleteItem return only the old item, if anything.
    static func requireOldOrNone(_ returnValues: ReturnValues?) throws(KVError) {
        if let returnValues, returnValues != .none, returnValues != .allOld {
            throw KVError.validation("ReturnValues can only be ALL_OLD or NONE")
        }
    }

    /// The condition of a PutItem or DeleteItem: `ConditionExpression`, or the legacy `Expected`
    /// translated into the same tree, with every placeholder checked to be used.
    static func writeCondition(_ request: WireObject, returnOld: Bool) throws -> WriteCondition? {
        var expressions = try ExpressionParameters(
            request, expressions: ["ConditionExpression"], legacy: ["Expected", "ConditionalOperator"],
            valueExpressions: ["ConditionExpression"])
        let condition = try expressions.condition("ConditionExpression", kind: .condition)
            ?? expressions.legacyCondition("Expected")
        try expressions.attributes.checkAllUsed()
        return condition.map { WriteCondition($0, returnOldItemOnFailure: returnOld) }
    }
}
