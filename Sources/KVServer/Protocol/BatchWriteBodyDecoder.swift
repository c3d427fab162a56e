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
    /// Why decoding stopped; carries nothing, the general path finds the reason again.
    private struct NotOrdinary: Error {}

    private var parser: Parser
    /// Attributes of the maps being read, innermost last: a map's dictionary is made once its
    /// size is known, at that capacity, instead of growing (and re-hashing) attribute by attribute.
    private var attributes: [(name: String, value: AttributeValue)] = []

    private init(_ bytes: UnsafeRawBufferPointer) {
        parser = Parser(bytes: bytes, maxDepth: JSONParser.defaultMaxDepth)
    }

    /// The request, or nil when the body must take the general path.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> BatchWriteItemOperation.Input? {
        var decoder = BatchWriteBodyDecoder(bytes)
        return try? decoder.document()
    }

    private static let topLevelNames: [StaticString] = ["RequestItems", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"]
    private static let writeNames: [StaticString] = ["PutRequest", "DeleteRequest"]
    private static let typeNames: [StaticString] = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"]

    private mutating func document() throws -> BatchWriteItemOperation.Input {
        var tables: [(key: String, writes: [BatchWrite])]?
        var capacityMode: String?
        var metricsMode: String?
        parser.skipWhitespace()
        guard try enterObject() else { throw NotOrdinary() }
        repeat {
            switch try memberName(among: Self.topLevelNames) {
            case 0? where tables == nil:
                tables = try requestItems()
            case 1? where capacityMode == nil:
                let mode = try string()
                guard CapacityWire.modeValues.contains(mode) else { throw NotOrdinary() }
                capacityMode = mode
            case 2? where metricsMode == nil:
                let mode = try string()
                guard mode == "SIZE" || mode == "NONE" else { throw NotOrdinary() }
                metricsMode = mode
            default:
                throw NotOrdinary()
            }
        } while try moreMembers()
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count, let tables else { throw NotOrdinary() }
        return BatchWriteItemOperation.Input(tables: tables, capacityMode: capacityMode.flatMap(CapacityWire.Mode.init(rawValue:)))
    }

    /// The tables in key order, as the general path sorts them.
    private mutating func requestItems() throws -> [(key: String, writes: [BatchWrite])] {
        var tables: [(key: String, writes: [BatchWrite])] = []
        // A set, so that a body naming many tables costs no more than sorting them does.
        var keys = Set<String>()
        guard try enterObject() else { throw NotOrdinary() }
        repeat {
            let key = try memberName()
            guard BatchWire.isValidTableKey(key), keys.insert(key).inserted else { throw NotOrdinary() }
            tables.append((key, try writeList()))
        } while try moreMembers()
        tables.sort { $0.key < $1.key }
        return tables
    }

    private mutating func writeList() throws -> [BatchWrite] {
        var writes: [BatchWrite] = []
        writes.reserveCapacity(KVEngine.maxBatchWrites)
        guard try enterArray() else { throw NotOrdinary() }
        repeat {
            guard writes.count < KVEngine.maxBatchWrites else { throw NotOrdinary() }
            writes.append(try writeRequest())
        } while try moreElements()
        return writes
    }

    /// `{"PutRequest": {"Item": item}}` or `{"DeleteRequest": {"Key": item}}`.
    private mutating func writeRequest() throws -> BatchWrite {
        guard try enterObject() else { throw NotOrdinary() }
        let write: BatchWrite
        switch try memberName(among: Self.writeNames) {
        case 0?:
            let item = try onlyMember("Item")
            guard ItemSize.of(item) <= ItemSize.maximum else { throw NotOrdinary() }
            write = .put(item)
        case 1?:
            write = .delete(try onlyMember("Key"))
        default:
            throw NotOrdinary()
        }
        guard try !moreMembers() else { throw NotOrdinary() }
        return write
    }

    /// `{"<name>": item}` and nothing else.
    private mutating func onlyMember(_ name: StaticString) throws -> Item {
        guard try enterObject(), try memberName(among: [name]) == 0 else { throw NotOrdinary() }
        let item = try map(depth: 0)
        guard try !moreMembers() else { throw NotOrdinary() }
        return item
    }

    /// An item or an `M` value: names to attribute values at `depth`.
    private mutating func map(depth: Int) throws -> [String: AttributeValue] {
        guard try enterObject() else { return [:] }
        let first = attributes.count
        repeat {
            let name = try memberName()
            attributes.append((name, try attributeValue(depth: depth)))
        } while try moreMembers()
        var map = [String: AttributeValue](minimumCapacity: attributes.count - first)
        for position in first..<attributes.count {
            guard map.updateValue(attributes[position].value, forKey: attributes[position].name) == nil else {
                throw NotOrdinary()
            }
        }
        attributes.removeSubrange(first...)
        return map
    }

    /// One attribute value, checked as `AttributeValueWire.decode(_:depth:)` checks it.
    private mutating func attributeValue(depth: Int) throws -> AttributeValue {
        guard depth < AttributeValueWire.maxDepth, try enterObject() else { throw NotOrdinary() }
        let value: AttributeValue
        switch try memberName(among: Self.typeNames) {
        case 0?:
            value = .string(try string())
        case 1?:
            value = .number(try Number(parsing: try string()))
        case 2?:
            value = .binary(try Base64.decode(try string()))
        case 3?:
            value = .bool(try bool())
        case 4?:
            guard try bool() else { throw NotOrdinary() }
            value = .null
        case 5?:
            var members: [String] = []
            try forEachElement { decoder in members.append(try decoder.string()) }
            try requireDistinct(members)
            value = .stringSet(members)
        case 6?:
            var members: [Number] = []
            try forEachElement { decoder in members.append(try Number(parsing: try decoder.string())) }
            try requireDistinct(members)
            value = .numberSet(members)
        case 7?:
            var members: [[UInt8]] = []
            try forEachElement { decoder in members.append(try Base64.decode(try decoder.string())) }
            try requireDistinct(members)
            value = .binarySet(members)
        case 8?:
            var members: [AttributeValue] = []
            try forEachElement { decoder in members.append(try decoder.attributeValue(depth: depth + 1)) }
            value = .list(members)
        case 9?:
            value = .map(try map(depth: depth + 1))
        default:
            throw NotOrdinary()
        }
        guard try !moreMembers() else { throw NotOrdinary() }
        return value
    }

    /// Sets must be non-empty and without duplicates.
    private func requireDistinct<Member: Hashable>(_ members: [Member]) throws {
        guard !members.isEmpty, Set(members).count == members.count else { throw NotOrdinary() }
    }

    // MARK: JSON structure

    /// Reads `{`; false when the object is empty (its `}` read too). Then, per member,
    /// `memberName` and the value, until `moreMembers` is false.
    @inline(__always)
    private mutating func enterObject() throws -> Bool {
        try expect(UInt8(ascii: "{"))
        parser.skipWhitespace()
        guard try parser.peek() == UInt8(ascii: "}") else { return true }
        parser.index += 1
        return false
    }

    /// Reads a member's `"name":`, leaving the parser at its value. Names decode as the
    /// parser decodes them (escapes included).
    private mutating func memberName() throws -> String {
        parser.skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let name = try parser.parseString()
        try colon()
        return name
    }

    /// Reads a member's `"name":` and tells which of `names` it is (nil: none of them).
    /// A name written without escapes is compared in place, without making a `String`.
    private mutating func memberName(among names: [StaticString]) throws -> Int? {
        parser.skipWhitespace()
        try expect(UInt8(ascii: "\""))
        for (position, name) in names.enumerated() where matchesInPlace(name) {
            parser.index += name.utf8CodeUnitCount + 1
            try colon()
            return position
        }
        let name = try parser.parseString()
        try colon()
        return names.firstIndex { $0.withUTF8Buffer { String(decoding: $0, as: UTF8.self) } == name }
    }

    /// Whether the bytes at the cursor are `name` and the closing quote.
    @inline(__always)
    private func matchesInPlace(_ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        let bytes = parser.bytes
        let start = parser.index
        guard start + count < bytes.count, bytes[start + count] == UInt8(ascii: "\"") else { return false }
        return name.withUTF8Buffer { literal in
            for offset in 0..<count where bytes[start + offset] != literal[offset] { return false }
            return true
        }
    }

    @inline(__always)
    private mutating func colon() throws {
        parser.skipWhitespace()
        try expect(UInt8(ascii: ":"))
        parser.skipWhitespace()
    }

    /// After a member's value: true when another member follows (its `,` read), false at the
    /// end of the object (its `}` read).
    @inline(__always)
    private mutating func moreMembers() throws -> Bool {
        try more(closing: UInt8(ascii: "}"))
    }

    /// Reads `[`; false when the array is empty (its `]` read too). Then, per element, the
    /// value, until `moreElements` is false.
    @inline(__always)
    private mutating func enterArray() throws -> Bool {
        try expect(UInt8(ascii: "["))
        parser.skipWhitespace()
        guard try parser.peek() == UInt8(ascii: "]") else { return true }
        parser.index += 1
        return false
    }

    @inline(__always)
    private mutating func moreElements() throws -> Bool {
        try more(closing: UInt8(ascii: "]"))
    }

    private mutating func forEachElement(_ body: (inout BatchWriteBodyDecoder) throws -> Void) throws {
        guard try enterArray() else { return }
        repeat {
            parser.skipWhitespace()
            try body(&self)
        } while try moreElements()
    }

    @inline(__always)
    private mutating func more(closing: UInt8) throws -> Bool {
        parser.skipWhitespace()
        let next = try parser.peek()
        parser.index += 1
        if next == UInt8(ascii: ",") {
            parser.skipWhitespace()
            return true
        }
        guard next == closing else { throw NotOrdinary() }
        return false
    }

    @inline(__always)
    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        return try parser.parseString()
    }

    private mutating func bool() throws -> Bool {
        switch try parser.peek() {
        case UInt8(ascii: "t"):
            try parser.expectLiteral("true")
            return true
        case UInt8(ascii: "f"):
            try parser.expectLiteral("false")
            return false
        default:
            throw NotOrdinary()
        }
    }

    @inline(__always)
    private mutating func expect(_ byte: UInt8) throws {
        guard try parser.peek() == byte else { throw NotOrdinary() }
        parser.index += 1
    }
}
