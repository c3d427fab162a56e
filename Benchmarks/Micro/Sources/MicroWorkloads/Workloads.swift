import KVServer
import KVStore

/// Blocks the optimizer from deleting a result it can see is unused.
@inline(never)
func consume<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// The engine-level operations a request spends its time in, without HTTP.
public enum Workloads {
    public static let all: [Workload] = json + expressions + storage + engine

    public static func named(_ name: String) -> Workload? {
        all.first { $0.name == name }
    }

    /// (1) and (2): the wire format, request in and response out.
    static var json: [Workload] {
        let request = SampleItem.putItemRequest
        let item = SampleItem.item
        let parsedItem: [String: JSONValue]? = {
            guard case .object(let fields)? = try? JSONParser.parse(request),
                case .object(let item)? = fields["Item"]
            else { return nil }
            return item
        }()
        return [
            Workload("JSON parse PutItem request", .cpu { count in
                for _ in 0..<count { consume(try JSONParser.parse(request)) }
            }),
            Workload("Wire decode Item (JSONValue to Item)", .cpu { count in
                guard let parsedItem else { throw SampleError.malformedRequest }
                for _ in 0..<count { consume(try AttributeValueWire.decodeItem(parsedItem)) }
            }),
            Workload("JSON decode PutItem request to Item", .cpu { count in
                for _ in 0..<count {
                    let body = try WireObject(JSONParser.parse(request))
                    guard let fields = try body.map("Item") else { throw SampleError.malformedRequest }
                    consume(try AttributeValueWire.decodeItem(fields))
                }
            }),
            Workload("JSON encode GetItem response", .cpu { count in
                for _ in 0..<count {
                    consume(JSONWriter.encode(.object(["Item": AttributeValueWire.responseItem(item)])))
                }
            }),
        ]
    }

    /// (3): ConditionExpression and UpdateExpression as a conditional UpdateItem uses them.
    static var expressions: [Workload] {
        let item = SampleItem.item
        let uncached = SampleExpressions.uncachedConditions
        // Built once: a request's attributes arrive decoded, so building them is not the expression's cost.
        let conditionAttributes = SampleExpressions.conditionAttributes
        let updateAttributes = SampleExpressions.updateAttributes
        var resolvedAttributes = conditionAttributes
        let condition = try? ConditionExpression.parse(
            SampleExpressions.condition, kind: .condition, attributes: &resolvedAttributes)
        resolvedAttributes = updateAttributes
        let update = try? UpdateExpression.parse(SampleExpressions.update, attributes: &resolvedAttributes)
        let keyAttributes: Set<String> = ["pk"]
        // Moves through the uncached texts across calls, so that no text repeats within 5,000.
        let cursor = Cursor(cycle: uncached.count)
        return [
            Workload("Condition parse+resolve, cache miss", .cpu { count in
                for _ in 0..<count {
                    let sample = uncached[cursor.next()]
                    var attributes = sample.attributes
                    consume(try ConditionExpression.parse(sample.text, kind: .condition, attributes: &attributes))
                }
            }),
            Workload("Condition parse+resolve, cached", .cpu { count in
                for _ in 0..<count {
                    var attributes = conditionAttributes
                    consume(
                        try ConditionExpression.parse(SampleExpressions.condition, kind: .condition, attributes: &attributes))
                }
            }),
            Workload("Condition evaluate", .cpu { count in
                guard let condition else { throw SampleError.invalidExpression }
                for _ in 0..<count {
                    guard condition.evaluate(item) else { throw SampleError.conditionFailed }
                }
            }),
            Workload("Update parse+resolve, cached", .cpu { count in
                for _ in 0..<count {
                    var attributes = updateAttributes
                    consume(try UpdateExpression.parse(SampleExpressions.update, attributes: &attributes))
                }
            }),
            Workload("Update apply", .cpu { count in
                guard let update else { throw SampleError.invalidExpression }
                for _ in 0..<count { consume(try update.apply(to: item, keyAttributes: keyAttributes)) }
            }),
        ]
    }

    /// (4) and (5): the byte forms that SQLite stores.
    static var storage: [Workload] {
        let item = SampleItem.item
        let encoded = ItemCodec.encode(item)
        return [
            Workload("Key encode S", .cpu { count in
                for _ in 0..<count { consume(KeyEncoding.encode(SampleKeys.stringValue)) }
            }),
            Workload("Key encode N", .cpu { count in
                for _ in 0..<count { consume(KeyEncoding.encode(SampleKeys.numberValue)) }
            }),
            Workload("StorageKey of a Key (S hash, N range)", .cpu { count in
                for _ in 0..<count { consume(try KeyValidator.key(SampleKeys.key, schema: SampleKeys.schema)) }
            }),
            Workload("ItemCodec encode", .cpu { count in
                for _ in 0..<count { consume(ItemCodec.encode(item)) }
            }),
            Workload("ItemCodec decode", .cpu { count in
                for _ in 0..<count { consume(try ItemCodec.decode(encoded)) }
            }),
        ]
    }

    /// (6): one PutItem and one GetItem through `KVEngine`, in-memory SQLite, no HTTP.
    static var engine: [Workload] {
        let puts = EngineFixture()
        let gets = EngineFixture()
        return [
            Workload(
                "Engine PutItem (in-memory)", setup: { try await puts.start() }, teardown: { puts.stop() },
                .engine {
                    let item = puts.items[puts.nextIndex()]
                    consume(try await puts.running().putItem(PutItemRequest(tableName: EngineFixture.tableName, item: item)))
                }),
            Workload(
                "Engine GetItem (in-memory)", setup: { try await gets.start() }, teardown: { gets.stop() },
                .engine {
                    let key = gets.keys[gets.nextIndex()]
                    let request = GetItemRequest(tableName: EngineFixture.tableName, key: key)
                    guard let item = try await gets.running().getItem(request) else { throw FixtureError.missingItem }
                    consume(item)
                }),
        ]
    }
}

enum SampleError: Error {
    case malformedRequest
    case invalidExpression
    /// The sample condition must hold on the sample item, or evaluation would stop early.
    case conditionFailed
}
