import Testing

@testable import KVServer
@testable import KVStore

/// The stored-bytes writer must write every value exactly as the dictionary path does.
@Suite struct StoredItemWireTests {
    /// Maps of at most one entry have one order, so the two texts must be identical bytes.
    @Test func singleEntryItemsMatchTheDictionaryPathByteForByte() throws {
        var random = RandomWireItems(seed: 0x5703_0001, maxEntries: 1)
        for _ in 0..<2_000 {
            let items = (0..<Int.random(in: 0...3, using: &random.generator)).map { _ in random.item() }
            #expect(try stored(items) == dictionaryPath(items))
        }
    }

    /// With several entries only the order of map members may differ: the same document, and
    /// the same bytes in another order (so no value is written differently, escapes included).
    @Test func randomItemsMatchTheDictionaryPath() throws {
        var random = RandomWireItems(seed: 0x5703_0002, maxEntries: 6)
        for _ in 0..<2_000 {
            let items = (0..<Int.random(in: 0...3, using: &random.generator)).map { _ in random.item() }
            let fast = try stored(items)
            let expected = dictionaryPath(items)
            #expect(try JSONParser.parse(fast) == JSONParser.parse(expected))
            #expect(fast.sorted() == expected.sorted())
        }
    }

    @Test func singleItemAndEmptyPages() throws {
        let item: Item = ["s": .string(""), "n": .number(Number(0)), "b": .binary([]), "l": .list([]), "m": .map([:])]
        var one = StoredItems()
        ItemCodec.encode(item).withUnsafeBufferPointer { one.append($0) }
        guard case .raw(let bytes)? = try StoredItemWire.item(one) else {
            Issue.record("no item")
            return
        }
        #expect(try JSONParser.parse(bytes) == JSONParser.parse(JSONWriter.encode(AttributeValueWire.responseItem(item))))
        #expect(try StoredItemWire.item(StoredItems()) == nil)
        #expect(try JSONWriter.encode(StoredItemWire.array(StoredItems())) == Array("[]".utf8))
    }

    /// Plain text is copied in overlapping words up to 16 bytes and by memcpy beyond
    /// (`JSONOutput.appendPlainString`): every length on either side, as name and as value.
    @Test func plainTextOfEveryShortLengthIsCopiedWhole() throws {
        for length in 0...40 {
            // 0x23 to 0x5B: printable, neither a quote nor a backslash.
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(0x23 + $0 % 57))) })
            let items: [Item] = [[text: .string(text)], ["k": .stringSet([text, text + "!"])]]
            #expect(try stored(items) == dictionaryPath(items), "length \(length)")
        }
    }

    /// GetItem's whole answer without ConsumedCapacity: the bytes of the object the dictionary
    /// path builds around `item`, byte for byte (a single member has one order).
    @Test func itemObjectIsTheItemResponseObject() throws {
        var random = RandomWireItems(seed: 0x5703_0003, maxEntries: 4)
        for _ in 0..<500 {
            var one = StoredItems()
            ItemCodec.encode(random.item()).withUnsafeBufferPointer { one.append($0) }
            let expected = JSONWriter.encode(.object(["Item": try #require(try StoredItemWire.item(one))]))
            #expect(JSONWriter.encode(try StoredItemWire.itemObject(one)) == expected)
        }
        #expect(JSONWriter.encode(try StoredItemWire.itemObject(nil)) == JSONWriter.encode(.object([:])))
        #expect(JSONWriter.encode(try StoredItemWire.itemObject(StoredItems())) == Array("{}".utf8))
    }

    /// The answer is written into the returned array while it fits the first guess (1.5 times
    /// the stored bytes); text that escapes to six bytes a character outgrows it and is moved
    /// to storage of the writer's own: both ways give the dictionary path's bytes.
    @Test func answersThatOutgrowTheirFirstBufferAreWholeAndEqual() throws {
        let escaped = String(repeating: "\u{01}\"", count: 300)
        let items: [Item] = [["k": .string(escaped)], ["k": .string("plain"), "e": .string(escaped)]]
        try expectSameDocument(try stored(items), dictionaryPath(items))
        for item in items {
            var one = StoredItems()
            ItemCodec.encode(item).withUnsafeBufferPointer { one.append($0) }
            let answer = try StoredItemWire.item(one)
            let written = try JSONWriter.encode(#require(answer))
            try expectSameDocument(written, Array(dictionaryPath([item]).dropFirst().dropLast()))
        }
        let fits: [Item] = (0..<100).map { ["k": .string("item-\($0)"), "p": .string(String(repeating: "x", count: 160))] }
        try expectSameDocument(try stored(fits), dictionaryPath(fits))
    }

    /// The same document and the same bytes, map members perhaps in another order.
    private func expectSameDocument(_ written: [UInt8], _ expected: [UInt8]) throws {
        #expect(try JSONParser.parse(written) == JSONParser.parse(expected))
        #expect(written.sorted() == expected.sorted())
    }

    @Test func corruptStoredItemsThrow() {
        var items = StoredItems()
        let corrupt: [UInt8] = [0x01, 0x01, 0x01, 0x61, 0x01, 0x02, 0xC0, 0x80]  // invalid UTF-8 value
        corrupt.withUnsafeBufferPointer { items.append($0) }
        #expect(throws: (any Error).self) { try StoredItemWire.array(items) }
        #expect(throws: (any Error).self) { try StoredItemWire.item(items) }
    }

    private func stored(_ items: [Item]) throws -> [UInt8] {
        var page = StoredItems()
        for item in items {
            ItemCodec.encode(item).withUnsafeBufferPointer { page.append($0) }
        }
        return JSONWriter.encode(try StoredItemWire.array(page))
    }

    private func dictionaryPath(_ items: [Item]) -> [UInt8] {
        // The items as the engine decodes them from storage, written as before.
        let decoded = items.map { item in (try? ItemCodec.decode(ItemCodec.encode(item))) ?? [:] }
        return JSONWriter.encode(.array(decoded.map(AttributeValueWire.responseItem)))
    }
}

/// Random items of every type with the text and numbers that exercise the writers.
private struct RandomWireItems {
    var generator: SeededGenerator
    let maxEntries: Int

    init(seed: UInt64, maxEntries: Int) {
        generator = SeededGenerator(seed: seed)
        self.maxEntries = maxEntries
    }

    mutating func item(depth: Int = 0) -> Item {
        var item: Item = [:]
        for _ in 0..<Int.random(in: 0...maxEntries, using: &generator) {
            item[string()] = value(depth: depth)
        }
        return item
    }

    mutating func value(depth: Int) -> AttributeValue {
        switch Int.random(in: 0..<(depth >= 4 ? 8 : 10), using: &generator) {
        case 0: return .string(string())
        case 1: return .number(number())
        case 2: return .binary(bytes())
        case 3: return .bool(Bool.random(using: &generator))
        case 4: return .null
        case 5: return .stringSet(distinct { $0.string() })
        case 6: return .numberSet(distinct { $0.number() })
        case 7: return .binarySet(distinct { $0.bytes() })
        case 8: return .list((0..<Int.random(in: 0...4, using: &generator)).map { _ in value(depth: depth + 1) })
        default: return .map(item(depth: depth + 1))
        }
    }

    mutating func string() -> String {
        if Int.random(in: 0...4, using: &generator) == 0 {
            // Plain text long enough for the vector paths, with at most one character that is not.
            var text = String(repeating: "abcdefghij", count: Int.random(in: 0...5, using: &generator))
            let odd: [Character] = ["\"", "\\", "\n", "\u{7F}", "\u{1F}", "é", "🎉", " "]
            let offset = Int.random(in: 0...text.count, using: &generator)
            text.insert(odd[Int.random(in: 0..<odd.count, using: &generator)], at: text.index(text.startIndex, offsetBy: offset))
            return text
        }
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1F}", "\u{7F}", "é", "中",
            "\u{2028}", "🎉",
        ]
        var scalars = String.UnicodeScalarView()
        let long = Int.random(in: 0...3, using: &generator) == 0
        for _ in 0..<Int.random(in: 0...(long ? 40 : 8), using: &generator) {
            scalars.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return String(scalars)
    }

    mutating func bytes() -> [UInt8] {
        (0..<Int.random(in: 0...10, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    mutating func number() -> Number {
        let digits = (0..<Int.random(in: 1...38, using: &generator)).map { _ in String(Int.random(in: 0...9, using: &generator)) }
        let sign = Bool.random(using: &generator) ? "-" : ""
        let wide = Int.random(in: 0...3, using: &generator) == 0
        let exponent = wide ? Int.random(in: -120...80, using: &generator) : Int.random(in: -5...5, using: &generator)
        return (try? Number(parsing: "\(sign)\(digits.joined())e\(exponent)")) ?? Number(Int.random(in: -99...99, using: &generator))
    }

    private mutating func distinct<T: Hashable>(_ make: (inout Self) -> T) -> [T] {
        var members: [T] = []
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let member = make(&self)
            if !members.contains(member) { members.append(member) }
        }
        return members
    }
}


/// `WireObject` reads a small object member by member and a larger one by hash: the same
/// answers either way, a JSON null counting as absent.
@Suite struct WireObjectLookupTests {
    @Test func smallAndLargeObjectsAnswerAlike() throws {
        let names = ["TableName", "Key", "ConsistentRead", "ReturnConsumedCapacity", "Limit", "Select", "IndexName", "é", ""]
        for size in 0...names.count {
            var fields: [String: JSONValue] = [:]
            for (offset, name) in names.prefix(size).enumerated() {
                fields[name] = offset == 2 ? .null : .string("v\(offset)")
            }
            let object = WireObject(fields: fields)
            for name in names + ["Keys", "Ke", "tablename", "e\u{301}", "\u{212A}ey"] {
                let expected: JSONValue? = fields[name].flatMap { $0 == .null ? nil : $0 }
                #expect(object[name] == expected, "\(name) in \(size) members")
                #expect(WireObject.field(name, in: fields) == fields[name])
            }
        }
    }
}
