import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
enum GetItemOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let (request, mode) = try parse(body)
        return try response(try await engine.readItem(request), mode: mode, usage: context.usage)
    }

    /// The same answer without a task: the engine reads on the calling thread.
    static func handleNow(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) throws -> JSONValue? {
        let (request, mode) = try parse(body)
        return try response(try engine.readItemNow(request), mode: mode, usage: context.usage)
    }

    private static func parse(_ body: JSONValue) throws -> (GetItemRequest, CapacityWire.Mode?) {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 1, into: &violations)
        let keyFields = try ItemRequestFields.key(request, into: &violations)
        let attributesToGet = try request.array("AttributesToGet")
        violations.count(attributesToGet, rendered: "[...]", min: 1, max: 255, at: "attributesToGet")
        violations.oneOf(try request.string("ReturnConsumedCapacity"), ["INDEXES", "TOTAL", "NONE"], at: "returnConsumedCapacity")
        let consistentRead = try request.bool("ConsistentRead") ?? false
        try violations.check()
        var expressions = try ExpressionParameters(request, expressions: ["ProjectionExpression"], legacy: ["AttributesToGet"])
        let projection = try expressions.projection()
        try expressions.attributes.checkAllUsed()
        let key = try AttributeValueWire.decodeItem(keyFields ?? [:])
        let read = GetItemRequest(
            tableName: tableName ?? "", key: key, consistentRead: consistentRead, projection: projection,
            returnsStoredItem: true)
        return (read, try CapacityWire.mode(request))
    }

    private static func response(_ read: ItemRead, mode: CapacityWire.Mode?, usage: RequestUsage?) throws -> JSONValue {
        let item = try read.storedItem.flatMap(StoredItemWire.item) ?? read.item.map(AttributeValueWire.responseItem)
        let response: JSONValue = item.map { .object(["Item": $0]) } ?? .object([:])
        return CapacityWire.attach(read.consumedCapacity, mode: mode, usage: usage, to: response)
    }
}
