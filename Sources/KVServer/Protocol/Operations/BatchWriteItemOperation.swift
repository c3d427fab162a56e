import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
///
/// Checks in DynamoDB's order (recorded by dynalite, test/batchWriteItem.js): the request
/// shape (enums, `RequestItems` map keys and list lengths, missing Item/Key), then every
/// attribute value and item size, then per table its existence, key schema and duplicates.
enum BatchWriteItemOperation {
    static let mapValueConstraint =
        "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"

    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        try await execute(try input(body), engine: engine, usage: context.usage)
    }

    /// Every check of the wire, in DynamoDB's order, and the request they leave.
    static func input(_ body: JSONValue) throws(KVError) -> Input {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        violations.oneOf(try request.string("ReturnItemCollectionMetrics"), ["SIZE", "NONE"], at: "returnItemCollectionMetrics")
        let entries = try BatchWire.requestItems(request, operation: "BatchWriteItem", into: &violations) ?? []
        let requestItems = WireObject(fields: Dictionary(entries, uniquingKeysWith: { first, _ in first }))
        var lists: [(key: String, requests: [WriteRequestFields])] = []
        var badLength = false
        var nested = ConstraintViolations()
        for (key, _) in entries {
            let elements = try requestItems.array(key) ?? []
            if elements.isEmpty || elements.count > KVEngine.maxBatchWrites { badLength = true }
            var requests: [WriteRequestFields] = []
            requests.reserveCapacity(elements.count)
            for (offset, element) in elements.enumerated() {
                let fields = try WriteRequestFields(element)
                // The path is built only for a violation: interpolating it for every element
                // cost more than reading the element.
                if fields.hasDelete, fields.deleteKey == nil {
                    nested.add(value: nil, at: "\(path(key, offset)).deleteRequest.key", "not be null")
                }
                if fields.hasPut, fields.putItem == nil {
                    nested.add(value: nil, at: "\(path(key, offset)).putRequest.item", "not be null")
                }
                requests.append(fields)
            }
            lists.append((key, requests))
        }
        if badLength {
            violations.add(value: BatchWire.render(entries), at: "requestItems", constraint: mapValueConstraint)
        }
        for message in nested.messages { violations.add(raw: message) }
        try violations.check()

        var tables: [(key: String, writes: [BatchWrite])] = []
        tables.reserveCapacity(lists.count)
        for (key, requests) in lists {
            var writes: [BatchWrite] = []
            writes.reserveCapacity(requests.count)
            for fields in requests {
                switch (fields.hasPut, fields.hasDelete) {
                case (true, false):
                    let item = try AttributeValueWire.decodeItem(fields.putItem ?? [:])
                    _ = try ItemSizeLimit.checkSent(item)
                    writes.append(.put(item))
                case (false, true):
                    writes.append(.delete(try AttributeValueWire.decodeItem(fields.deleteKey ?? [:])))
                default:
                    throw KVError.validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
                }
            }
            tables.append((key, writes))
        }
        return Input(tables: tables, capacityMode: try CapacityWire.mode(request))
    }

    /// A request that passed every check of the wire: what `handle` and `BatchWriteBodyDecoder`
    /// both produce, so both paths end in the same engine call and answer.
    struct Input: Sendable {
        /// `RequestItems` keys (table names or ARNs) with their writes, in key order.
        var tables: [(key: String, writes: [BatchWrite])]
        var capacityMode: CapacityWire.Mode?
    }

    /// A handler for a body `BatchWriteBodyDecoder` read, or nil when it must take `handle`.
    static func decodedBody(_ body: UnsafeRawBufferPointer, engine: KVEngine) -> DecodedBody? {
        guard let input = BatchWriteBodyDecoder.decode(body) else { return nil }
        if engine.catalogIsShared {
            return DecodedBody(handler: { _, context in
                try await engine.retryingAfterCatalogMiss { try await execute(input, engine: engine, usage: context.usage) }
            })
        }
        return DecodedBody(handler: { _, context in try await execute(input, engine: engine, usage: context.usage) })
    }

    static func execute(_ input: Input, engine: KVEngine, usage: RequestUsage?) async throws -> JSONValue {
        var tables: [(name: String, writes: [BatchWrite])] = []
        tables.reserveCapacity(input.tables.count)
        var keysByName: [String: String] = [:]
        for (key, writes) in input.tables {
            let name = BatchWire.tableName(key)
            keysByName[name] = key
            tables.append((name, writes))
        }
        let mode = input.capacityMode
        let result = try await engine.batchWriteItem(BatchWriteRequest(tables: tables, measuresCapacity: mode != nil))

        var unprocessed: [String: JSONValue] = [:]
        for (name, writes) in result.unprocessed {
            unprocessed[keysByName[name] ?? name] = .array(writes.map(encode))
        }
        return CapacityWire.attach(list: result.consumedCapacity, mode: mode, usage: usage, to: .object(["UnprocessedItems": .object(unprocessed)]))
    }

    /// Where an element's members are reported: `requestItems.<table>.member.<n>.member`.
    static func path(_ key: String, _ offset: Int) -> String {
        "requestItems.\(key).member.\(offset + 1).member"
    }

    /// One element of a table's list, read once in DynamoDB's order: the element itself, then
    /// `DeleteRequest` and its `Key`, then `PutRequest` and its `Item` (each may throw a
    /// SerializationException for a wrong JSON type).
    struct WriteRequestFields {
        var hasDelete = false
        var deleteKey: [String: JSONValue]?
        var hasPut = false
        var putItem: [String: JSONValue]?

        init(_ element: JSONValue) throws(KVError) {
            let writeRequest = try WireObject(element)
            if let delete = try writeRequest.object("DeleteRequest") {
                hasDelete = true
                deleteKey = try delete.map("Key")
            }
            if let put = try writeRequest.object("PutRequest") {
                hasPut = true
                putItem = try put.map("Item")
            }
        }
    }

    static func encode(_ write: BatchWrite) -> JSONValue {
        switch write {
        case .put(let item): .object(["PutRequest": .object(["Item": AttributeValueWire.encodeItem(item)])])
        case .delete(let key): .object(["DeleteRequest": .object(["Key": AttributeValueWire.encodeItem(key)])])
        }
    }
}
