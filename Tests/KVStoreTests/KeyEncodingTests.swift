import Testing

@testable import KVStore

@Suite("Storage: KeyEncoding")
struct KeyEncodingTests {
    /// Random strings mixing 1- to 4-byte UTF-8 scalars, with shared prefixes to exercise ties.
    private func randomStrings(count: Int, using generator: inout SeededGenerator) -> [String] {
        let ranges: [ClosedRange<UInt32>] = [0x00...0x7F, 0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
        var strings: [String] = ["", "a", "ab", "b", "\u{7F}", "\u{80}", "\u{FFFF}", "\u{10000}"]
        while strings.count < count {
            if Bool.random(using: &generator), let base = strings.randomElement(using: &generator) {
                strings.append(base + String(Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &generator)))))
                continue
            }
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                let range = ranges.randomElement(using: &generator)!
                scalars.append(Unicode.Scalar(UInt32.random(in: range, using: &generator))!)
            }
            strings.append(String(scalars))
        }
        return strings
    }

    /// DynamoDB orders strings by their UTF-8 bytes, which is the order of their code points.
    private func codePointsPrecede(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.map(\.value).lexicographicallyPrecedes(b.unicodeScalars.map(\.value))
    }

    private func bytesPrecede(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }

    /// The order SQLite gives the encoded bytes in a BLOB column (memcmp, then length).
    private func sqliteOrder(_ values: [[UInt8]]) throws -> [[UInt8]] {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        try connection.execute("CREATE TABLE k(v BLOB NOT NULL)")
        for value in values {
            let insert = try connection.statement("INSERT INTO k(v) VALUES (?)")
            try insert.bind(1, value)
            try insert.run()
        }
        let select = try connection.statement("SELECT v FROM k ORDER BY v")
        var sorted: [[UInt8]] = []
        while try select.step() { sorted.append(select.blob(0)) }
        return sorted
    }

    @Test func stringOrderIsCodePointOrder() throws {
        var generator = SeededGenerator(seed: 0x5EED_0001)
        let strings = randomStrings(count: 2_000, using: &generator)
        let encoded = strings.map { KeyEncoding.encode(.string($0))! }
        let expected = strings.sorted(by: codePointsPrecede).map { Array($0.utf8) }
        #expect(encoded.sorted(by: bytesPrecede) == expected)
        #expect(try sqliteOrder(encoded) == expected)
    }

    @Test func binaryOrderIsUnsignedByteOrder() throws {
        var generator = SeededGenerator(seed: 0x5EED_0002)
        var binaries: [[UInt8]] = [[], [0], [0, 0], [1], [0x7F], [0x80], [0xFF], [0xFF, 0]]
        while binaries.count < 2_000 {
            let length = Int.random(in: 0...6, using: &generator)
            binaries.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let encoded = binaries.map { KeyEncoding.encode(.binary($0))! }
        #expect(encoded == binaries)
        let expected = binaries.sorted(by: bytesPrecede)
        #expect(try sqliteOrder(encoded) == expected)
    }

    @Test func valuesRoundTrip() throws {
        var generator = SeededGenerator(seed: 0x5EED_0003)
        for string in randomStrings(count: 200, using: &generator) {
            let bytes = try #require(KeyEncoding.encode(.string(string)))
            #expect(KeyEncoding.decode(bytes, as: .string) == .string(string))
        }
        for bytes in [[], [0], [1, 2, 255]] as [[UInt8]] {
            #expect(KeyEncoding.decode(KeyEncoding.encode(.binary(bytes))!, as: .binary) == .binary(bytes))
        }
        // Ordering of numbers is Number's to test; here only that they round-trip.
        for number in [Number(0), Number(1), Number(-17), Number(123_456_789)] {
            let bytes = try #require(KeyEncoding.encode(.number(number)))
            #expect(KeyEncoding.decode(bytes, as: .number) == .number(number))
        }
    }

    @Test func nonKeyTypesAndInvalidBytesAreRejected() {
        let nonKeys: [AttributeValue] = [
            .bool(true), .null, .stringSet(["a"]), .numberSet([Number(1)]), .binarySet([[1]]),
            .list([.string("a")]), .map(["a": .string("b")]),
        ]
        for value in nonKeys {
            #expect(KeyEncoding.encode(value) == nil)
        }
        for invalid in [[0xFF], [0xC0, 0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF0, 0x90, 0x80]] as [[UInt8]] {
            #expect(KeyEncoding.decode(invalid, as: .string) == nil)
        }
    }
}
