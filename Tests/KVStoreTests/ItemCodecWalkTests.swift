import Testing

@testable import KVStore

/// `ItemCodec.walk` must report exactly what `decode` builds, and reject exactly what it rejects.
@Suite("Storage: ItemCodec.walk")
struct ItemCodecWalkTests {
    @Test func randomItemsWalkToTheDecodedItem() throws {
        var generator = SeededGenerator(seed: 0x5A1C_0001)
        for _ in 0..<2_000 {
            let item = RandomItems.item(using: &generator)
            #expect(try rebuilt(ItemCodec.encode(item)) == item)
        }
    }

    /// Text under eight bytes, which `UTF8Validation` checks byte by byte: every byte value at
    /// every position of every short length, after bytes of every kind, gets the flag the
    /// byte-by-byte rule gives (`Rebuilder` checks it) and the value decoding gives.
    @Test func shortTextIsPlainExactlyWhenEveryByteIs() throws {
        let before: [UInt8] = [0x22, 0x5C, 0x00, 0x7F, 0x41, 0x20, 0x7E, 0x0A]
        for length in 1..<8 {
            for position in 0..<length {
                for byte in 0...255 {
                    var text = [UInt8](repeating: 0x61, count: length)
                    text[position] = UInt8(byte)
                    // A first attribute of eight or more bytes, so the short one has bytes before it.
                    let bytes: [UInt8] = [0x01, 0x02, 0x08] + before + [0x06, UInt8(length)] + text + [0x01, UInt8(length)] + text
                    let decoded = try? ItemCodec.decode(bytes)
                    let walked = try? rebuilt(bytes)
                    #expect(walked == decoded, "length \(length), byte \(byte) at \(position)")
                }
            }
        }
        for text in ["", "a", "ab", "\"", "pk", "payload"] {
            let item: Item = ["12345678": .null, text: .string(text)]
            #expect(try rebuilt(ItemCodec.encode(item)) == item)
        }
    }

    /// Lengths of one, two and more bytes read as `decode` reads them.
    @Test func lengthsOfSeveralBytesWalk() throws {
        for length in [127, 128, 129, 300, 16_383, 16_384, 70_000] {
            let item: Item = ["s": .string(String(repeating: "x", count: length)), "b": .binary([UInt8](repeating: 7, count: length))]
            #expect(try rebuilt(ItemCodec.encode(item)) == item)
        }
        // A length written in more bytes than it needs still reads: 0x81 0x00 is 1.
        #expect(try rebuilt([0x01, 0x01, 0x81, 0x00, 0x61, 0x06]) == ["a": .null])
        #expect(try ItemCodec.decode([0x01, 0x01, 0x81, 0x00, 0x61, 0x06]) == ["a": .null])
    }

    @Test func largeMapsWalkAndRejectRepeatedNames() throws {
        let names = (0..<40).map { "attribute\($0)" }
        let item = Item(uniqueKeysWithValues: names.map { ($0, AttributeValue.null) })
        #expect(try rebuilt(ItemCodec.encode(item)) == item)
        // The same name twice among 40 entries: hand-made, since a dictionary cannot hold it.
        var bytes: [UInt8] = [0x01, 40]
        for index in 0..<40 {
            let name = Array((index == 39 ? names[7] : names[index]).utf8)
            bytes += [UInt8(name.count)] + name + [0x06]
        }
        #expect(throws: ItemCodec.DecodingError.self) { try ItemCodec.decode(bytes) }
        #expect(throws: ItemCodec.DecodingError.self) { try rebuilt(bytes) }
    }

    @Test func corruptionIsRejectedExactlyWhenDecodingRejectsIt() {
        var generator = SeededGenerator(seed: 0x5A1C_0002)
        for _ in 0..<3_000 {
            var bytes = ItemCodec.encode(RandomItems.item(using: &generator))
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            case 1:
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
                }
            default:
                bytes.insert(UInt8.random(in: 0...255, using: &generator), at: Int.random(in: 0...bytes.count, using: &generator))
            }
            let decoded = try? ItemCodec.decode(bytes)
            let walked = try? rebuilt(bytes)
            #expect(decoded == walked, "\(bytes)")
        }
    }

    @Test(arguments: [
        [] as [UInt8], [0x02, 0x00], [0x01, 0x00, 0x00], [0x01, 0x01, 0x01, 0x61, 0x0C],
        [0x01, 0x01, 0x01, 0x61, 0x00], [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
        [0x01, 0x01, 0x05, 0x61], [0x01, 0x01, 0x01, 0xFF, 0x06], [0x01, 0x01, 0x01, 0x61, 0x01, 0x02, 0xC0, 0x80],
        [0x01, 0x02, 0x01, 0x61, 0x06, 0x01, 0x61, 0x06], [0x01, 0x01, 0x01, 0x61, 0x07, 0x05, 0x00],
        [0x01, 0x01, 0x01, 0x61, 0x02, 0x02, 0xFF, 0x00],
    ])
    func malformedInputIsRejected(_ bytes: [UInt8]) {
        #expect(throws: ItemCodec.DecodingError.self) { try rebuilt(bytes) }
    }

    @Test func nestingBeyondTheLimitIsRejected() {
        var value = AttributeValue.null
        for _ in 0..<(ItemCodec.maxDepth + 1) { value = .list([value]) }
        #expect(throws: ItemCodec.DecodingError.self) { try rebuilt(ItemCodec.encode(["a": value])) }
        let deep: [UInt8] = [0x01, 0x01, 0x01, 0x61] + Array(repeating: [0x0A, 0x01], count: 100_000).joined() + [0x06]
        #expect(throws: ItemCodec.DecodingError.self) { try rebuilt(deep) }
    }

    @Test func storedItemsKeepItemsApartAndInOrder() throws {
        var generator = SeededGenerator(seed: 0x5A1C_0003)
        let items = (0..<20).map { _ in RandomItems.item(using: &generator) }
        var stored = StoredItems()
        for item in items {
            ItemCodec.encode(item).withUnsafeBufferPointer { stored.append($0) }
        }
        #expect(stored.count == items.count)
        #expect(try stored.decoded() == items)
        var walked: [Item] = []
        try stored.forEach { item in
            var rebuilder = Rebuilder()
            try item.walk(&rebuilder)
            walked.append(try rebuilder.item())
        }
        #expect(walked == items)
    }

    private func rebuilt(_ bytes: [UInt8]) throws -> Item {
        var rebuilder = Rebuilder()
        try bytes.withUnsafeBufferPointer { try ItemCodec.walk($0, &rebuilder) }
        return try rebuilder.item()
    }
}

/// Builds the item back from the walk's reports, checking that they nest and count correctly.
private struct Rebuilder: StoredItemVisitor {
    struct Mismatch: Error {}

    enum Container {
        case map([String: AttributeValue], pending: String?, next: Int)
        case list([AttributeValue], count: Int)
        case set(ScalarType, [AttributeValue], count: Int)
    }

    private var stack: [Container] = [.map([:], pending: nil, next: 0)]
    private var failed = false

    func item() throws -> Item {
        guard !failed, stack.count == 1, case .map(let item, nil, _) = stack[0] else { throw Mismatch() }
        return item
    }

    mutating func name(_ text: StoredText, index: Int) {
        guard case .map(let map, nil, let next)? = stack.last, index == next else { return fail() }
        stack[stack.count - 1] = .map(map, pending: string(text), next: next + 1)
    }

    /// The text as a String, failing the walk if its `isPlain` flag is wrong.
    private mutating func string(_ text: StoredText) -> String {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        if plain != text.isPlain { fail() }
        return String(decoding: text.utf8, as: UTF8.self)
    }

    mutating func element(index: Int) {
        switch stack.last {
        case .list(let values, _)?: if index != values.count { fail() }
        case .set(_, let values, _)?: if index != values.count { fail() }
        default: fail()
        }
    }

    mutating func scalar(_ value: StoredScalar) {
        switch value {
        case .string(let text): add(.string(string(text)))
        case .number(let number): add(.number(number))
        case .binary(let bytes): add(.binary(Array(bytes)))
        case .bool(let flag): add(.bool(flag))
        case .null: add(.null)
        }
    }

    mutating func beginSet(_ type: ScalarType, count: Int) { stack.append(.set(type, [], count: count)) }
    mutating func beginList(count: Int) { stack.append(.list([], count: count)) }
    mutating func beginMap(count: Int) { stack.append(.map([:], pending: nil, next: 0)) }

    mutating func endSet() {
        guard case .set(let type, let members, let count)? = stack.popLast(), members.count == count else { return fail() }
        func strings() -> [String] { members.compactMap { if case .string(let s) = $0 { s } else { nil } } }
        switch type {
        case .string: add(.stringSet(strings()))
        case .number: add(.numberSet(members.compactMap { if case .number(let n) = $0 { n } else { nil } }))
        case .binary: add(.binarySet(members.compactMap { if case .binary(let b) = $0 { b } else { nil } }))
        }
    }

    mutating func endList() {
        guard case .list(let values, let count)? = stack.popLast(), values.count == count else { return fail() }
        add(.list(values))
    }

    mutating func endMap() {
        guard stack.count > 1, case .map(let map, nil, _)? = stack.popLast() else { return fail() }
        add(.map(map))
    }

    private mutating func add(_ value: AttributeValue) {
        switch stack.popLast() {
        case .map(var map, let pending?, let next)?:
            map[pending] = value
            stack.append(.map(map, pending: nil, next: next))
        case .list(var values, let count)?:
            values.append(value)
            stack.append(.list(values, count: count))
        case .set(let type, var values, let count)?:
            values.append(value)
            stack.append(.set(type, values, count: count))
        default:
            fail()
        }
    }

    private mutating func fail() { failed = true }
}
