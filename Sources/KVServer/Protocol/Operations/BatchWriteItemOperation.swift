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
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        violations.oneOf(try request.string("ReturnItemCollectionMetrics"), ["SIZE", "NONE"], at: "returnItemCollectionMetrics")
        let entries = try BatchWire.requestItems(request, into: &violations) ?? []
        let requestItems = WireObject(fields: Dictionary(entries, uniquingKeysWith: { first, _ in first }))
        var lists: [(key: String, requests: [WireObject])] = []
        var badLength = false
        var nested = ConstraintViolations()
        for (key, _) in entries {
            let elements = try requestItems.array(key) ?? []
            if elements.isEmpty || elements.count > KVEngine.maxBatchWrites { badLength = true }
            var requests: [WireObject] = []
            for (offset, element) in elements.enumerated() {
                let writeRequest = try WireObject(element)
                let path = "requestItems.\(key).member.\(offset + 1).member"
                if let delete = try writeRequest.object("DeleteRequest") {
                    nested.notNull(try delete.map("Key"), at: "\(path).deleteRequest.key")
                }
                if let put = try writeRequest.object("PutRequest") {
                    nested.notNull(try put.map("Item"), at: "\(path).putRequest.item")
                }
                requests.append(writeRequest)
            }
            lists.append((key, requests))
        }
        if badLength {
            violations.add(value: BatchWire.render(entries), at: "requestItems", constraint: mapValueConstraint)
        }
        for message in nested.messages { violations.add(raw: message) }
        try violations.check()

        var tables: [(name: String, writes: [BatchWrite])] = []
        var keysByName: [String: String] = [:]
        for (key, requests) in lists {
            var writes: [BatchWrite] = []
            for writeRequest in requests {
                let put = try writeRequest.object("PutRequest")
                let delete = try writeRequest.object("DeleteRequest")
                switch (put, delete) {
                case (let put?, nil):
                    let item = try AttributeValueWire.decodeItem(try put.map("Item") ?? [:])
                    if ItemSize.of(item) > ItemSize.maximum {
                        throw KVError.validation("Item size has exceeded the maximum allowed size")
                    }
                    writes.append(.put(item))
                case (nil, let delete?):
                    writes.append(.delete(try AttributeValueWire.decodeItem(try delete.map("Key") ?? [:])))
                default:
                    throw KVError.validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
                }
            }
            let name = BatchWire.tableName(key)
            keysByName[name] = key
            tables.append((name, writes))
        }
        let mode = try CapacityWire.mode(request)
        let result = try await engine.batchWriteItem(BatchWriteRequest(tables: tables, measuresCapacity: mode != nil))

        var unprocessed: [String: JSONValue] = [:]
        for (name, writes) in result.unprocessed {
            unprocessed[keysByName[name] ?? name] = .array(writes.map(encode))
        }
        return CapacityWire.attach(list: result.consumedCapacity, mode: mode, to: .object(["UnprocessedItems": .object(unprocessed)]))
    }

    static func encode(_ write: BatchWrite) -> JSONValue {
        switch write {
        case .put(let item): .object(["PutRequest": .object(["Item": AttributeValueWire.encodeItem(item)])])
        case .delete(let key): .object(["DeleteRequest": .object(["Key": AttributeValueWire.encodeItem(key)])])
        }
    }
}
