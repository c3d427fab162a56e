import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
enum PutItemOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let (put, mode) = try parse(body)
        return try await execute(put, mode: mode, engine: engine, usage: context.usage)
    }

    /// The request and its capacity mode as the wire gives them (every check the general
    /// path makes before the engine call).
    static func parse(_ body: JSONValue) throws -> (PutItemRequest, CapacityWire.Mode?) {
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
        let put = Self.request(
            tableName: tableName ?? "", item: item, returnValues: returnValues ?? .none, condition: condition,
            returnItemCollectionMetrics: wantsMetrics, capacityMode: capacityMode)
        return (put, capacityMode)
    }

    /// The engine's request; one place for both paths (`PutItemBodyDecoder`).
    static func request(
        tableName: String, item: Item, returnValues: ReturnValues, condition: WriteCondition?,
        returnItemCollectionMetrics: Bool, capacityMode: CapacityWire.Mode?
    ) -> PutItemRequest {
        var put = PutItemRequest(
            tableName: tableName, item: item, returnValues: returnValues, condition: condition,
            returnItemCollectionMetrics: returnItemCollectionMetrics)
        // Only a client that asks pays for reading the old item's size (max(old, new) is what
        // DynamoDB charges); the metrics count the new item's size otherwise (README, Metrics).
        put.measuresCapacity = capacityMode != nil
        return put
    }

    static func execute(
        _ put: PutItemRequest, mode: CapacityWire.Mode?, engine: KVEngine, usage: RequestUsage?
    ) async throws -> JSONValue {
        let result = try await engine.putItem(put)
        return CapacityWire.attach(result.consumedCapacity, mode: mode, usage: usage, to: ItemRequestFields.attributesResponse(result))
    }

    /// A handler for a body `PutItemBodyDecoder` read, or nil when it must take `handle`.
    static func decodedBody(_ body: UnsafeRawBufferPointer, engine: KVEngine) -> DecodedBody? {
        guard let decoded = PutItemBodyDecoder.decode(body) else { return nil }
        // The closure captures one object alone: it is the closure's context (no box).
        let write = DecodedWrite(decoded, engine: engine)
        if engine.catalogIsShared {
            return DecodedBody(
                handler: { _, context in try await write.engine.retryingAfterCatalogMiss { try await write.run(context) } },
                tableName: decoded.request.tableName)
        }
        return DecodedBody(handler: { _, context in try await write.run(context) }, tableName: decoded.request.tableName)
    }

    /// A decoded PutItem bound to its engine.
    private final class DecodedWrite: Sendable {
        let put: PutItemRequest
        let mode: CapacityWire.Mode?
        let engine: KVEngine

        init(_ decoded: PutItemBodyDecoder.Decoded, engine: KVEngine) {
            put = decoded.request
            mode = decoded.mode
            self.engine = engine
        }

        func run(_ context: RequestContext) async throws -> JSONValue {
            try await execute(put, mode: mode, engine: engine, usage: context.usage)
        }
    }
}
