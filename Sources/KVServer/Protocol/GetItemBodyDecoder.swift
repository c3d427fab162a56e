import KVStore

/// GetItem bodies of the ordinary shape, decoded straight from their bytes.
///
/// The general path parses the body into a `JSONValue` tree (a dictionary per object), looks
/// up every member GetItem knows in it, decodes the key from it and frees it: about a sixth of
/// a GetItem's instructions. This decoder reads the bytes once into the `GetItemRequest` the
/// engine takes (with `BodyBytesReader`, so text decodes exactly as the parser decodes it).
///
/// It never changes an answer: it accepts only a body that the general path would take without
/// any error up to the engine call, and that it reads to the same request. Anything else gives
/// nil and the request takes the general path, which reports the exact error or handles the
/// rare form (unknown or null members, duplicate names, an ARN as `TableName`,
/// `AttributesToGet`, expression attribute names, an invalid attribute value...). What is
/// accepted:
///
///     {"TableName": name, "Key": item, "ConsistentRead": true | false,
///      "ProjectionExpression": expression,
///      "ReturnConsumedCapacity": "INDEXES" | "TOTAL" | "NONE"}
///
/// with `TableName` and `Key` present, each member at most once, in any order; `name` a plain
/// table name as GetItem's checks take it (1 to 255 of `[a-zA-Z0-9_.-]`); `expression` one
/// that parses without names or values to resolve.
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
struct GetItemBodyDecoder {
    private typealias NotOrdinary = BodyBytesReader.NotOrdinary

    /// What the general path's `GetItemOperation.parse` gives for the same body.
    struct Decoded {
        var request: GetItemRequest
        var mode: CapacityWire.Mode?
    }

    private var reader: BodyBytesReader

    private init(_ bytes: UnsafeRawBufferPointer) {
        reader = BodyBytesReader(bytes)
    }

    /// The request, or nil when the body must take the general path.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> Decoded? {
        var decoder = GetItemBodyDecoder(bytes)
        return try? decoder.document()
    }

    private static let memberNames: [StaticString] = [
        "TableName", "Key", "ConsistentRead", "ReturnConsumedCapacity", "ProjectionExpression",
    ]

    private mutating func document() throws -> Decoded {
        var tableName: String?
        var key: Item?
        var consistentRead: Bool?
        var capacityMode: String?
        var projectionText: String?
        reader.parser.skipWhitespace()
        guard try reader.enterObject() else { throw NotOrdinary() }
        repeat {
            switch try reader.memberName(among: Self.memberNames) {
            case 0? where tableName == nil:
                tableName = try reader.plainTableName()
            case 1? where key == nil:
                key = try reader.map(depth: 0)
            case 2? where consistentRead == nil:
                consistentRead = try reader.bool()
            case 3? where capacityMode == nil:
                capacityMode = try reader.capacityMode()
            case 4? where projectionText == nil:
                projectionText = try reader.string()
            default:
                throw NotOrdinary()
            }
        } while try reader.moreMembers()
        try reader.end()
        guard let tableName, let key else { throw NotOrdinary() }
        let request = GetItemRequest(
            tableName: tableName, key: key, consistentRead: consistentRead ?? false,
            projection: try projectionText.flatMap(Self.projection), returnsStoredItem: true)
        return Decoded(request: request, mode: capacityMode.flatMap(CapacityWire.Mode.init(rawValue:)))
    }

    /// The expression as the general path reads it (`ExpressionParameters`, with no names or
    /// values to resolve); one it refuses takes the general path, which reports it.
    private static func projection(_ text: String) throws -> ProjectionExpression? {
        var expressions = try ExpressionParameters(
            WireObject(fields: ["ProjectionExpression": .string(text)]), expressions: ["ProjectionExpression"],
            legacy: ["AttributesToGet"])
        let projection = try expressions.projection()
        try expressions.attributes.checkAllUsed()
        return projection
    }
}
