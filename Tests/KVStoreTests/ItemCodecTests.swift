import Testing

@testable import KVStore

@Suite("Storage: ItemCodec")
struct ItemCodecTests {
    private func randomString(using generator: inout SeededGenerator) -> String {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\u{0}", "é", "ß", "中", "🎉", "\u{10FFFF}"]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            scalars.append(alphabet.randomElement(using: &generator)!)
        }
        return String(scalars)
    }

    private func randomBytes(using generator: inout SeededGenerator) -> [UInt8] {
        (0..<Int.random(in: 0...20, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    private func randomNumber(using generator: inout SeededGenerator) -> Number {
        Number(Int.random(in: -1_000_000...1_000_000, using: &generator))
    }

    private func randomValue(depth: Int, using generator: inout SeededGenerator) -> AttributeValue {
        let kinds = depth >= 6 ? 8 : 10
        switch Int.random(in: 0..<kinds, using: &generator) {
        case 0: return .string(randomString(using: &generator))
        case 1: return .number(randomNumber(using: &generator))
        case 2: return .binary(randomBytes(using: &generator))
        case 3: return .bool(Bool.random(using: &generator))
        case 4: return .null
        case 5:
            return .stringSet((0..<Int.random(in: 1...4, using: &generator)).map { _ in randomString(using: &generator) })
        case 6:
            return .numberSet((0..<Int.random(in: 1...4, using: &generator)).map { _ in randomNumber(using: &generator) })
        case 7:
            return .binarySet((0..<Int.random(in: 1...4, using: &generator)).map { _ in randomBytes(using: &generator) })
        case 8:
            return .list((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) })
        default:
            return .map(randomItem(depth: depth + 1, using: &generator))
        }
    }

    private func randomItem(depth: Int = 0, using generator: inout SeededGenerator) -> Item {
        var item: Item = [:]
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            item[randomString(using: &generator)] = randomValue(depth: depth, using: &generator)
        }
        return item
    }

    /// An item nesting `depth` lists below its one attribute.
    private func nested(_ depth: Int) -> Item {
        var value = AttributeValue.null
        for _ in 0..<depth { value = .list([value]) }
        return ["a": value]
    }

    @Test func randomItemsRoundTrip() throws {
        var generator = SeededGenerator(seed: 0xC0DE_0001)
        for _ in 0..<1_000 {
            let item = randomItem(using: &generator)
            #expect(try ItemCodec.decode(ItemCodec.encode(item)) == item)
        }
    }

    @Test func everyTypeAndEmptyValuesRoundTrip() throws {
        let item: Item = [
            "": .string(""),
            "s": .string("héllo 🎉"),
            "n": .number(Number(-42)),
            "b": .binary([]),
            "t": .bool(true),
            "f": .bool(false),
            "null": .null,
            "ss": .stringSet(["", "a"]),
            "ns": .numberSet([Number(1), Number(2)]),
            "bs": .binarySet([[], [0, 255]]),
            "l": .list([]),
            "m": .map([:]),
            "deep": .map(["l": .list([.map(["x": .numberSet([Number(3)])])])]),
            "long": .binary(Array(repeating: 0xAB, count: 300_000)),
        ]
        #expect(try ItemCodec.decode(ItemCodec.encode(item)) == item)
        #expect(try ItemCodec.decode(ItemCodec.encode([:])) == [:])
        #expect(try ItemCodec.decode(ItemCodec.encode(nested(ItemCodec.maxDepth))) == nested(ItemCodec.maxDepth))
    }

    /// Pins the on-disk layout (single-entry maps, so the bytes are deterministic).
    @Test func formatIsStable() {
        #expect(ItemCodec.encode([:]) == [0x01, 0x00])
        #expect(ItemCodec.encode(["a": .string("xy")]) == [0x01, 0x01, 0x01, 0x61, 0x01, 0x02, 0x78, 0x79])
        #expect(ItemCodec.encode(["b": .binary([0xFF])]) == [0x01, 0x01, 0x01, 0x62, 0x03, 0x01, 0xFF])
        #expect(ItemCodec.encode(["c": .bool(false)]) == [0x01, 0x01, 0x01, 0x63, 0x04])
        #expect(ItemCodec.encode(["c": .bool(true)]) == [0x01, 0x01, 0x01, 0x63, 0x05])
        #expect(ItemCodec.encode(["d": .null]) == [0x01, 0x01, 0x01, 0x64, 0x06])
        #expect(ItemCodec.encode(["e": .stringSet(["p", "q"])]) == [0x01, 0x01, 0x01, 0x65, 0x07, 0x02, 0x01, 0x70, 0x01, 0x71])
        #expect(ItemCodec.encode(["f": .binarySet([[], [1]])]) == [0x01, 0x01, 0x01, 0x66, 0x09, 0x02, 0x00, 0x01, 0x01])
        #expect(ItemCodec.encode(["g": .list([.null, .bool(true)])]) == [0x01, 0x01, 0x01, 0x67, 0x0A, 0x02, 0x06, 0x05])
        #expect(ItemCodec.encode(["h": .map(["i": .null])]) == [0x01, 0x01, 0x01, 0x68, 0x0B, 0x01, 0x01, 0x69, 0x06])
        let number = Number(5)
        #expect(ItemCodec.encode(["n": .number(number)]) == [0x01, 0x01, 0x01, 0x6E, 0x02, UInt8(number.orderedBytes.count)] + number.orderedBytes)
        // Varint lengths: 300 = 0xAC 0x02.
        let long = ItemCodec.encode(["b": .binary(Array(repeating: 0, count: 300))])
        #expect(Array(long.prefix(7)) == [0x01, 0x01, 0x01, 0x62, 0x03, 0xAC, 0x02])
    }

    @Test func decodesBorrowedColumnBytes() throws {
        var generator = SeededGenerator(seed: 0xC0DE_0004)
        let item = randomItem(using: &generator)
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        let select = try connection.statement("SELECT ?, NULL")
        try select.bind(1, ItemCodec.encode(item))
        #expect(try select.step())
        #expect(try select.withUnsafeBlob(0, ItemCodec.decode) == item)
        #expect(select.withUnsafeBlob(1) { $0.count } == 0)
        #expect(throws: ItemCodec.DecodingError.self) { try select.withUnsafeBlob(1, ItemCodec.decode) }
    }

    @Test func everyTruncationIsRejected() {
        var generator = SeededGenerator(seed: 0xC0DE_0002)
        for _ in 0..<100 {
            let bytes = ItemCodec.encode(randomItem(using: &generator))
            for length in 0..<bytes.count {
                #expect(throws: ItemCodec.DecodingError.self) { try ItemCodec.decode(Array(bytes.prefix(length))) }
            }
        }
    }

    @Test func garbageAndCorruptionNeverTrap() {
        var generator = SeededGenerator(seed: 0xC0DE_0003)
        for _ in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator) { bytes.insert(0x01, at: 0) }
            _ = try? ItemCodec.decode(bytes)
        }
        for _ in 0..<2_000 {
            var bytes = ItemCodec.encode(randomItem(using: &generator))
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? ItemCodec.decode(bytes)
        }
    }

    @Test(arguments: [
        ("empty", [] as [UInt8]),
        ("unknown version", [0x02, 0x00]),
        ("trailing bytes", [0x01, 0x00, 0x00]),
        ("unknown tag", [0x01, 0x01, 0x01, 0x61, 0x0C]),
        ("reserved tag", [0x01, 0x01, 0x01, 0x61, 0x00]),
        ("huge count", [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
        ("varint overflow", [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ("length past end", [0x01, 0x01, 0x05, 0x61]),
        ("invalid UTF-8 name", [0x01, 0x01, 0x01, 0xFF, 0x06]),
        ("invalid UTF-8 value", [0x01, 0x01, 0x01, 0x61, 0x01, 0x02, 0xC0, 0x80]),
        ("duplicate name", [0x01, 0x02, 0x01, 0x61, 0x06, 0x01, 0x61, 0x06]),
        ("set count past end", [0x01, 0x01, 0x01, 0x61, 0x07, 0x05, 0x00]),
    ])
    func malformedInputIsRejected(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: ItemCodec.DecodingError.self, "\(name)") { try ItemCodec.decode(bytes) }
    }

    @Test func nestingBeyondTheLimitIsRejected() {
        let bytes = ItemCodec.encode(nested(ItemCodec.maxDepth + 1))
        #expect(throws: ItemCodec.DecodingError.self) { try ItemCodec.decode(bytes) }
        // Hand-made bytes nesting far deeper must fail fast too, not exhaust the stack.
        let deep: [UInt8] = [0x01, 0x01, 0x01, 0x61] + Array(repeating: [0x0A, 0x01], count: 100_000).joined() + [0x06]
        #expect(throws: ItemCodec.DecodingError.self) { try ItemCodec.decode(deep) }
    }
}
