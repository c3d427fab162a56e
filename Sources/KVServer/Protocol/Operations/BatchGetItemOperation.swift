import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
///
/// Checks in DynamoDB's order (recorded by dynalite, test/batchGetItem.js and
/// validations/batchGetItem.js): the request shape, then per table its expression parameters,
/// each key's attribute values, duplicate keys ("Provided list of item keys contains
/// duplicates") and the running total of keys ("Too many items requested for the BatchGetItem
/// call"), then table existence and key schemas.
enum BatchGetItemOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        let entries = try BatchWire.requestItems(request, operation: "BatchGetItem", into: &violations) ?? []
        var tables: [(key: String, object: WireObject, keys: [JSONValue])] = []
        for (key, value) in entries {
            let object = try WireObject(value)
            let path = "requestItems.\(key).member"
            let keys = try object.array("Keys")
            violations.notNull(keys, at: "\(path).keys")
            if let keys, keys.isEmpty {
                violations.add(value: "[]", at: "\(path).keys", "have length greater than or equal to 1")
            }
            if let keys, keys.count > KVEngine.maxBatchGetKeys {
                // DynamoDB names this member in its wire case and prints no value (Parity Suite
                // tier3/error-messages/batchGetItem, validated against DynamoDB).
                violations.add(
                    raw: "Value at 'RequestItems.\(key).member.Keys' failed to satisfy constraint: Member must have length less than or equal to \(KVEngine.maxBatchGetKeys)"
                )
            }
            violations.count(try object.array("AttributesToGet"), rendered: "[...]", min: 1, max: 255, at: "\(path).attributesToGet")
            tables.append((key, object, keys ?? []))
        }
        try violations.check()

        var requests: [BatchGetTable] = []
        var total = 0
        for (key, object, keyValues) in tables {
            var expressions = try ExpressionParameters(object, expressions: ["ProjectionExpression"], legacy: ["AttributesToGet"])
            let projection = try expressions.projection()
            try expressions.attributes.checkAllUsed()
            var keys: [Item] = []
            for value in keyValues {
                guard case .object(let fields) = value else { throw WireObject.mismatch(value, expected: "Map") }
                let decoded = try AttributeValueWire.decodeItem(fields)
                if keys.contains(decoded) {
                    throw KVError.validation("Provided list of item keys contains duplicates")
                }
                keys.append(decoded)
                total += 1
                if total > KVEngine.maxBatchGetKeys {
                    throw KVError.validation("Too many items requested for the BatchGetItem call")
                }
            }
            requests.append(
                BatchGetTable(
                    tableName: BatchWire.tableName(key), keys: keys, consistentRead: try object.bool("ConsistentRead") ?? false,
                    projection: projection))
        }
        let mode = try CapacityWire.mode(request)
        let result = try await engine.batchGetItem(requests)

        var responses: [String: JSONValue] = [:]
        for (position, response) in result.responses.enumerated() where position < tables.count {
            responses[tables[position].key] = .array(response.items.map(AttributeValueWire.responseItem))
        }
        var unprocessed: [String: JSONValue] = [:]
        for table in result.unprocessed {
            guard let original = tables.first(where: { BatchWire.tableName($0.key) == table.tableName }) else { continue }
            // The table's KeysAndAttributes as sent, with only the keys not read.
            var fields = original.object.fields
            fields["Keys"] = .array(table.keys.map(AttributeValueWire.responseItem))
            unprocessed[original.key] = .object(fields)
        }
        let response: JSONValue = .object(["Responses": .object(responses), "UnprocessedKeys": .object(unprocessed)])
        return CapacityWire.attach(list: result.consumedCapacity, mode: mode, usage: context.usage, to: response)
    }
}
