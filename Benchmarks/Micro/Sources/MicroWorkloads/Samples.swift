import KVServer
import KVStore

/// The one item every benchmark works on: the shape of a queue task or a user record, about
/// 250 bytes of names and values (DynamoDB's item size), 410 bytes as a PutItem request body.
enum SampleItem {
    /// 160 characters of plain ASCII, as long as the HTTP benchmarks' payload (no JSON escapes).
    static let payload = String(
        "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. "
            + "Sphinx of black quartz, judge my vow. How vexingly quick daft zebras jump!".prefix(160))

    static func item(key: String) -> Item {
        [
            "pk": .string(key),
            "n": .number(Number(123_456)),
            "taskStatus": .string("READY"),
            "payload": .string(payload),
            "meta": .map([
                "owner": .string("alice"),
                "priority": .number(Number(3)),
                "done": .bool(false),
            ]),
            "tags": .list([.string("red"), .string("blue"), .number(Number(7))]),
        ]
    }

    static let item = item(key: "user#000123")

    /// A PutItem request body carrying `item` in DynamoDB JSON, compact as SDKs send it.
    static let putItemRequest: [UInt8] = Array(
        (#"{"TableName":"bench","Item":{"pk":{"S":"user#000123"},"n":{"N":"123456"},"#
            + #""taskStatus":{"S":"READY"},"payload":{"S":""# + payload + #""},"#
            + #""meta":{"M":{"owner":{"S":"alice"},"priority":{"N":"3"},"done":{"BOOL":false}}},"#
            + #""tags":{"L":[{"S":"red"},{"S":"blue"},{"N":"7"}]}}}"#).utf8)
}

/// Expressions in the shape of the LIFO queue's conditional claim.
enum SampleExpressions {
    static let condition = "attribute_exists(pk) AND #s = :ready"
    static let update = "SET #s = :taken, n = n + :one, meta.#o = :who"

    static var conditionAttributes: ExpressionAttributes {
        ExpressionAttributes(names: ["#s": "taskStatus"], values: [":ready": .string("READY")])
    }

    static var updateAttributes: ExpressionAttributes {
        ExpressionAttributes(
            names: ["#s": "taskStatus", "#o": "owner"],
            values: [":taken": .string("TAKEN"), ":one": .number(Number(1)), ":who": .string("bob")])
    }

    /// Distinct condition texts (each with its own value placeholder), more than the parse
    /// cache holds: the cache is emptied whenever it fills, so cycling through them never hits.
    static let uncachedConditions: [(text: String, attributes: ExpressionAttributes)] = (0..<5_000).map { index in
        let placeholder = ":ready\(index)"
        return (
            "attribute_exists(pk) AND #s = \(placeholder)",
            ExpressionAttributes(names: ["#s": "taskStatus"], values: [placeholder: .string("READY")])
        )
    }
}

/// Keys for the key-encoding benchmarks: a table with a string partition key and a number sort key.
enum SampleKeys {
    static let schema = KeySchema(
        partitionKey: KeyAttribute(name: "pk", type: .string),
        sortKey: KeyAttribute(name: "sk", type: .number))

    static let stringValue = AttributeValue.string("user#000123")
    static let numberValue = AttributeValue.number(Number(1_234_567))

    static let key: Item = ["pk": stringValue, "sk": numberValue]
}
