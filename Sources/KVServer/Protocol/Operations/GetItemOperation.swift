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

    /// Handlers for a body `GetItemBodyDecoder` read, or nil when it must take `handle`. They
    /// make the same engine calls with the same request as `handle` and `handleNow`.
    /// - Parameter inline: whether the engine reads on the calling thread (`readsInline`).
    static func decodedBody(_ body: UnsafeRawBufferPointer, engine: KVEngine, inline: Bool) -> DecodedBody? {
        guard let decoded = GetItemBodyDecoder.decode(body) else { return nil }
        // One object that both closures capture alone: it is their context (no box per closure).
        let read = DecodedRead(decoded, engine: engine)
        let handler: OperationHandler
        if engine.catalogIsShared {
            handler = { _, context in try await read.engine.retryingAfterCatalogMiss { try await read.run(context) } }
        } else {
            handler = { _, context in try await read.run(context) }
        }
        var inlineHandler: InlineOperationHandler?
        if inline {
            inlineHandler = { _, context in try read.runNow(context) }
        }
        return DecodedBody(handler: handler, inlineHandler: inlineHandler, tableName: decoded.request.tableName)
    }

    /// A decoded GetItem bound to its engine.
    private final class DecodedRead: Sendable {
        let request: GetItemRequest
        let mode: CapacityWire.Mode?
        let engine: KVEngine

        init(_ decoded: GetItemBodyDecoder.Decoded, engine: KVEngine) {
            request = decoded.request
            mode = decoded.mode
            self.engine = engine
        }

        func run(_ context: RequestContext) async throws -> JSONValue {
            try response(try await engine.readItem(request), mode: mode, usage: context.usage)
        }

        func runNow(_ context: RequestContext) throws -> JSONValue {
            try response(try engine.readItemNow(request), mode: mode, usage: context.usage)
        }
    }

    static func parse(_ body: JSONValue) throws -> (GetItemRequest, CapacityWire.Mode?) {
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
        if mode == nil, read.item == nil {
            // No ConsumedCapacity to add: the whole answer written straight from the stored bytes.
            return CapacityWire.attach(
                read.consumedCapacity, mode: nil, usage: usage, to: try StoredItemWire.itemObject(read.storedItem))
        }
        let item = try read.storedItem.flatMap(StoredItemWire.item) ?? read.item.map(AttributeValueWire.responseItem)
        let response: JSONValue = item.map { .object(["Item": $0]) } ?? .object([:])
        return CapacityWire.attach(read.consumedCapacity, mode: mode, usage: usage, to: response)
    }
}
