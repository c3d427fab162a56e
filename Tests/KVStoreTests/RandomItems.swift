@testable import KVStore

/// Random items of every type, for property tests of the stored format.
enum RandomItems {
    static func item(depth: Int = 0, using generator: inout SeededGenerator) -> Item {
        var item: Item = [:]
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            item[string(using: &generator)] = value(depth: depth, using: &generator)
        }
        return item
    }

    static func value(depth: Int, using generator: inout SeededGenerator) -> AttributeValue {
        switch Int.random(in: 0..<(depth >= 5 ? 8 : 10), using: &generator) {
        case 0: return .string(string(using: &generator))
        case 1: return .number(number(using: &generator))
        case 2: return .binary(bytes(using: &generator))
        case 3: return .bool(Bool.random(using: &generator))
        case 4: return .null
        case 5: return .stringSet(distinct(using: &generator) { string(using: &$0) })
        case 6: return .numberSet(distinct(using: &generator) { number(using: &$0) })
        case 7: return .binarySet(distinct(using: &generator) { bytes(using: &$0) })
        case 8: return .list((0..<Int.random(in: 0...4, using: &generator)).map { _ in value(depth: depth + 1, using: &generator) })
        default: return .map(item(depth: depth + 1, using: &generator))
        }
    }

    /// Text with characters JSON must escape, multi-byte UTF-8 and, now and then, runs long
    /// enough for word-at-a-time scanning.
    static func string(using generator: inout SeededGenerator) -> String {
        if Int.random(in: 0...4, using: &generator) == 0 {
            // Mostly plain text, with at most one character that is not, anywhere in it.
            var text = String(repeating: "abcdefghij", count: Int.random(in: 0...5, using: &generator))
            let odd: [Character] = ["\"", "\\", "\u{7F}", "\u{1F}", "é", "🎉", " "]
            text.insert(odd[Int.random(in: 0..<odd.count, using: &generator)], at: text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &generator)))
            return text
        }
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "ß", "中", "\u{2028}", "🎉", "\u{10FFFF}",
        ]
        var scalars = String.UnicodeScalarView()
        let length = Int.random(in: 0...3, using: &generator) == 0 ? Int.random(in: 0...40, using: &generator) : Int.random(in: 0...8, using: &generator)
        for _ in 0..<length {
            scalars.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return String(scalars)
    }

    static func bytes(using generator: inout SeededGenerator) -> [UInt8] {
        (0..<Int.random(in: 0...20, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Integers, decimals, tiny and huge magnitudes, up to 38 digits.
    static func number(using generator: inout SeededGenerator) -> Number {
        let digits = (0..<Int.random(in: 1...38, using: &generator)).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        let sign = Bool.random(using: &generator) ? "-" : ""
        let exponent = Int.random(in: -3...3, using: &generator) == 0 ? Int.random(in: -120...80, using: &generator) : Int.random(in: -5...5, using: &generator)
        return (try? Number(parsing: "\(sign)\(digits)e\(exponent)")) ?? Number(Int.random(in: -1000...1000, using: &generator))
    }

    private static func distinct<T: Hashable>(using generator: inout SeededGenerator, _ make: (inout SeededGenerator) -> T) -> [T] {
        var seen = Set<T>()
        var members: [T] = []
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let member = make(&generator)
            if seen.insert(member).inserted { members.append(member) }
        }
        return members
    }
}
