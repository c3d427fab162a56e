import KVStore

/// BatchWriteItem bodies of the ordinary shape, decoded straight from their bytes.
///
/// The general path builds a `JSONValue` tree first: a dictionary per JSON object, five per
/// PutRequest, then walks it and frees it. For a 25-item batch that cost more than the SQL
/// writes. This decoder reads the bytes once into `BatchWriteItemOperation.Input`, with the
/// parser's own readers for strings, literals and whitespace, so text decodes exactly as it
/// would there.
///
/// It never changes an answer: it accepts only a body that the general path would take without
/// any error up to the engine call, and that it reads to the same input. Anything else gives
/// nil and the request takes the general path, which reports the exact error or handles the
/// rare form (unknown or null members, duplicate names, JSON numbers where strings belong,
/// an invalid attribute value, an oversized item, an invalid table name, a list of 0 or more
/// than 25 writes). What is accepted:
///
///     {"RequestItems": {table: [{"PutRequest": {"Item": item}} | {"DeleteRequest": {"Key": item}}, ...]},
///      "ReturnConsumedCapacity": "INDEXES" | "TOTAL" | "NONE",
///      "ReturnItemCollectionMetrics": "SIZE" | "NONE"}
///
/// with each member at most once, in any order, and every attribute value holding exactly one
/// of the ten types, valid as `AttributeValueWire.decode` checks it.
struct BatchWriteBodyDecoder {
    private typealias NotOrdinary = BodyBytesReader.NotOrdinary

    /// The JSON structure and attribute values (see `BodyBytesReader`).
    private var reader: BodyBytesReader

    private init(_ bytes: UnsafeRawBufferPointer) {
        reader = BodyBytesReader(bytes)
    }

    /// The request, or nil when the body must take the general path.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> BatchWriteItemOperation.Input? {
        var decoder = BatchWriteBodyDecoder(bytes)
        return try? decoder.document()
    }

    private static let topLevelNames: [StaticString] = ["RequestItems", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"]
    private static let writeNames: [StaticString] = ["PutRequest", "DeleteRequest"]

    private mutating func document() throws -> BatchWriteItemOperation.Input {
        var tables: [(key: String, writes: [BatchWrite])]?
        var capacityMode: String?
        var metricsMode: String?
        reader.parser.skipWhitespace()
        guard try reader.enterObject() else { throw NotOrdinary() }
        repeat {
            switch try reader.memberName(among: Self.topLevelNames) {
            case 0? where tables == nil:
                tables = try requestItems()
            case 1? where capacityMode == nil:
                capacityMode = try reader.capacityMode()
            case 2? where metricsMode == nil:
                metricsMode = try reader.collectionMetricsMode()
            default:
                throw NotOrdinary()
            }
        } while try reader.moreMembers()
        try reader.end()
        guard let tables else { throw NotOrdinary() }
        return BatchWriteItemOperation.Input(tables: tables, capacityMode: capacityMode.flatMap(CapacityWire.Mode.init(rawValue:)))
    }

    /// The tables in key order, as the general path sorts them.
    private mutating func requestItems() throws -> [(key: String, writes: [BatchWrite])] {
        var tables: [(key: String, writes: [BatchWrite])] = []
        // A set, so that a body naming many tables costs no more than sorting them does.
        var keys = Set<String>()
        guard try reader.enterObject() else { throw NotOrdinary() }
        repeat {
            let key = try reader.memberName()
            guard BatchWire.isValidTableKey(key), keys.insert(key).inserted else { throw NotOrdinary() }
            tables.append((key, try writeList()))
        } while try reader.moreMembers()
        tables.sort { $0.key < $1.key }
        return tables
    }

    private mutating func writeList() throws -> [BatchWrite] {
        var writes: [BatchWrite] = []
        writes.reserveCapacity(KVEngine.maxBatchWrites)
        guard try reader.enterArray() else { throw NotOrdinary() }
        repeat {
            guard writes.count < KVEngine.maxBatchWrites else { throw NotOrdinary() }
            writes.append(try writeRequest())
        } while try reader.moreElements()
        return writes
    }

    /// `{"PutRequest": {"Item": item}}` or `{"DeleteRequest": {"Key": item}}`.
    private mutating func writeRequest() throws -> BatchWrite {
        guard try reader.enterObject() else { throw NotOrdinary() }
        let write: BatchWrite
        switch try reader.memberName(among: Self.writeNames) {
        case 0?:
            let item = try onlyMember("Item")
            guard ItemSize.of(item) <= ItemSize.maximum else { throw NotOrdinary() }
            write = .put(item)
        case 1?:
            write = .delete(try onlyMember("Key"))
        default:
            throw NotOrdinary()
        }
        guard try !reader.moreMembers() else { throw NotOrdinary() }
        return write
    }

    /// `{"<name>": item}` and nothing else.
    private mutating func onlyMember(_ name: StaticString) throws -> Item {
        guard try reader.enterObject(), try reader.memberName(among: [name]) == 0 else { throw NotOrdinary() }
        let item = try reader.map(depth: 0)
        guard try !reader.moreMembers() else { throw NotOrdinary() }
        return item
    }
}
