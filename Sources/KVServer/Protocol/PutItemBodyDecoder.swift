import Glibc
import KVStore

/// PutItem bodies of the ordinary shape, decoded straight from their bytes (the reasons and
/// rules of `GetItemBodyDecoder`, whose reader it shares).
///
/// It accepts only a body that the general path would take without any error up to the engine
/// call, and that it reads to the same request; anything else gives nil and takes the general
/// path (a condition, `Expected`, expression attribute names or values, unknown or null
/// members, an ARN as `TableName`, an invalid attribute value...). The item's size is the
/// engine's check on both paths. What is accepted:
///
///     {"TableName": name, "Item": item, "ReturnValues": "NONE" | "ALL_OLD",
///      "ReturnConsumedCapacity": "INDEXES" | "TOTAL" | "NONE",
///      "ReturnItemCollectionMetrics": "SIZE" | "NONE"}
///
/// with `TableName` and `Item` present, each member at most once, in any order.
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
struct PutItemBodyDecoder {
    private typealias NotOrdinary = BodyBytesReader.NotOrdinary

    /// What the general path's `PutItemOperation.parse` gives for the same body.
    struct Decoded {
        var request: PutItemRequest
        var mode: CapacityWire.Mode?
    }

    private var reader: BodyBytesReader

    private init(_ bytes: UnsafeRawBufferPointer) {
        reader = BodyBytesReader(bytes)
    }

    /// The request, or nil when the body must take the general path.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded? {
        guard !mayBeConditional(bytes) else { return nil }
        var decoder = PutItemBodyDecoder(bytes)
        return try? decoder.document()
    }

    /// Whether the body may carry a condition's members (`ConditionExpression`,
    /// `ConditionalOperator`, `ReturnValuesOnConditionCheckFailure`, `Expected`,
    /// `ExpressionAttributeNames`/`Values`), which the decoder declines only once it reaches them:
    /// the SDKs send them after `Item`, so the whole item would be decoded first for nothing
    /// (a conditional PutItem cost 7.7% more instructions that way). It looks for `Condition`
    /// and `"Exp` from each `C` and `E` that `memchr` finds. The text inside an attribute value
    /// only sends the body to the general path; a member name written with escapes is still
    /// declined when reached.
    static func mayBeConditional(_ bytes: UnsafeRawBufferPointer) -> Bool {
        contains(bytes, first: UInt8(ascii: "C"), rest: "ondition", after: nil)
            || contains(bytes, first: UInt8(ascii: "E"), rest: "xp", after: UInt8(ascii: "\""))
    }

    /// Whether `first` followed by `rest` (and preceded by `after`, when given) is in `bytes`.
    private static func contains(_ bytes: UnsafeRawBufferPointer, first: UInt8, rest: StaticString, after: UInt8?) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let count = bytes.count
        let tailCount = rest.utf8CodeUnitCount
        var start = 0
        while start < count, let found = memchr(base + start, Int32(first), count &- start) {
            let position = base.distance(to: UnsafeRawPointer(found))
            start = position &+ 1
            guard count &- start >= tailCount else { return false }
            if let after, position == 0 || bytes[position &- 1] != after { continue }
            if memcmp(base + start, rest.utf8Start, tailCount) == 0 { return true }
        }
        return false
    }

    private static let memberNames: [StaticString] = [
        "TableName", "Item", "ReturnConsumedCapacity", "ReturnValues", "ReturnItemCollectionMetrics",
    ]

    private mutating func document() throws -> Decoded {
        var tableName: String?
        var item: Item?
        var capacityMode: String?
        var returnValues: ReturnValues?
        var metricsMode: String?
        reader.parser.skipWhitespace()
        guard try reader.enterObject() else { throw NotOrdinary() }
        repeat {
            switch try reader.memberName(among: Self.memberNames) {
            case 0? where tableName == nil:
                tableName = try reader.plainTableName()
            case 1? where item == nil:
                item = try reader.map(depth: 0)
            case 2? where capacityMode == nil:
                capacityMode = try reader.capacityMode()
            case 3? where returnValues == nil:
                // The two PutItem takes (`ItemRequestFields.requireOldOrNone`).
                switch try reader.string() {
                case "NONE": returnValues = ReturnValues.none
                case "ALL_OLD": returnValues = .allOld
                default: throw NotOrdinary()
                }
            case 4? where metricsMode == nil:
                metricsMode = try reader.collectionMetricsMode()
            default:
                throw NotOrdinary()
            }
        } while try reader.moreMembers()
        try reader.end()
        guard let tableName, let item else { throw NotOrdinary() }
        let mode = capacityMode.flatMap(CapacityWire.Mode.init(rawValue:))
        return Decoded(
            request: PutItemOperation.request(
                tableName: tableName, item: item, returnValues: returnValues ?? ReturnValues.none, condition: nil,
                returnItemCollectionMetrics: metricsMode == "SIZE", capacityMode: mode),
            mode: mode)
    }
}
