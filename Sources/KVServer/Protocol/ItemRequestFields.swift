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

    static func commonOptions(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) {
        violations.oneOf(try request.string("ReturnConsumedCapacity"), ["INDEXES", "TOTAL", "NONE"], at: "returnConsumedCapacity")
        violations.oneOf(try request.string("ReturnItemCollectionMetrics"), ["SIZE", "NONE"], at: "returnItemCollectionMetrics")
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
        guard let attributes = result.attributes else { return .object([:]) }
        return .object(["Attributes": AttributeValueWire.encodeItem(attributes)])
    }
}
