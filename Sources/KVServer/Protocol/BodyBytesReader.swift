import KVStore

/// The JSON reader of the body decoders (`BatchWriteBodyDecoder`, `GetItemBodyDecoder`): a
/// request body of the ordinary shape read straight from its bytes, without the `JSONValue`
/// tree, with the parser's own readers for strings, literals and whitespace, so text decodes
/// exactly as it would there.
///
/// Every reader throws `NotOrdinary` at the first byte it does not expect; the decoder then
/// gives nil and the request takes the general path, which finds the exact error (or handles
/// the rare form) itself. Attribute values are checked as `AttributeValueWire.decode` checks
/// them: an accepted one decodes to what that gives.
struct BodyBytesReader {
    /// Why decoding stopped; carries nothing, the general path finds the reason again.
    struct NotOrdinary: Error {}

    var parser: Parser
    /// Attributes of the maps being read, innermost last: a map's dictionary is made once its
    /// size is known, at that capacity, instead of growing (and re-hashing) attribute by attribute.
    private var attributes: [(name: String, value: AttributeValue)] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        parser = Parser(bytes: bytes, maxDepth: JSONParser.defaultMaxDepth)
    }

    static let typeNames: [StaticString] = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"]

    /// A `TableName` value that item operations take as it is: a plain name of 1 to 255 of
    /// `[a-zA-Z0-9_.-]` (`TableName.read`'s checks); ARNs and invalid names take the general path.
    mutating func plainTableName() throws -> String {
        let name = try string()
        guard TableName.isValidName(name), name.utf8.count <= 255 else { throw NotOrdinary() }
        return name
    }

    /// A `ReturnConsumedCapacity` value: one of `CapacityWire.modeValues`, as text.
    mutating func capacityMode() throws -> String {
        let mode = try string()
        guard CapacityWire.modeValues.contains(mode) else { throw NotOrdinary() }
        return mode
    }

    /// A `ReturnItemCollectionMetrics` value: `SIZE` or `NONE`, as text.
    mutating func collectionMetricsMode() throws -> String {
        let mode = try string()
        guard mode == "SIZE" || mode == "NONE" else { throw NotOrdinary() }
        return mode
    }

    /// Whitespace, then the end of the body.
    mutating func end() throws {
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw NotOrdinary() }
    }

    /// An item or an `M` value: names to attribute values at `depth`.
    mutating func map(depth: Int) throws -> [String: AttributeValue] {
        guard try enterObject() else { return [:] }
        let name = try memberName()
        let value = try attributeValue(depth: depth)
        guard try moreMembers() else {
            // One attribute (most keys): no stack, the dictionary made at once.
            return [name: value]
        }
        let first = attributes.count
        attributes.append((name, value))
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
    mutating func attributeValue(depth: Int) throws -> AttributeValue {
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
    func requireDistinct<Member: Hashable>(_ members: [Member]) throws {
        guard !members.isEmpty, Set(members).count == members.count else { throw NotOrdinary() }
    }

    // MARK: JSON structure

    /// Reads `{`; false when the object is empty (its `}` read too). Then, per member,
    /// `memberName` and the value, until `moreMembers` is false.
    @inline(__always)
    mutating func enterObject() throws -> Bool {
        try expect(UInt8(ascii: "{"))
        parser.skipWhitespace()
        guard try parser.peek() == UInt8(ascii: "}") else { return true }
        parser.index += 1
        return false
    }

    /// Reads a member's `"name":`, leaving the parser at its value. Names decode as the
    /// parser decodes them (escapes included).
    mutating func memberName() throws -> String {
        parser.skipWhitespace()
        try expect(UInt8(ascii: "\""))
        let name = try parser.parseString()
        try colon()
        return name
    }

    /// Reads a member's `"name":` and tells which of `names` it is (nil: none of them).
    /// A name written without escapes is compared in place, without making a `String`.
    mutating func memberName(among names: [StaticString]) throws -> Int? {
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
    func matchesInPlace(_ name: StaticString) -> Bool {
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
    mutating func colon() throws {
        parser.skipWhitespace()
        try expect(UInt8(ascii: ":"))
        parser.skipWhitespace()
    }

    /// After a member's value: true when another member follows (its `,` read), false at the
    /// end of the object (its `}` read).
    @inline(__always)
    mutating func moreMembers() throws -> Bool {
        try more(closing: UInt8(ascii: "}"))
    }

    /// Reads `[`; false when the array is empty (its `]` read too). Then, per element, the
    /// value, until `moreElements` is false.
    @inline(__always)
    mutating func enterArray() throws -> Bool {
        try expect(UInt8(ascii: "["))
        parser.skipWhitespace()
        guard try parser.peek() == UInt8(ascii: "]") else { return true }
        parser.index += 1
        return false
    }

    @inline(__always)
    mutating func moreElements() throws -> Bool {
        try more(closing: UInt8(ascii: "]"))
    }

    mutating func forEachElement(_ body: (inout BodyBytesReader) throws -> Void) throws {
        guard try enterArray() else { return }
        repeat {
            parser.skipWhitespace()
            try body(&self)
        } while try moreElements()
    }

    @inline(__always)
    mutating func more(closing: UInt8) throws -> Bool {
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
    mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        return try parser.parseString()
    }

    mutating func bool() throws -> Bool {
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
    mutating func expect(_ byte: UInt8) throws {
        guard try parser.peek() == byte else { throw NotOrdinary() }
        parser.index += 1
    }
}
