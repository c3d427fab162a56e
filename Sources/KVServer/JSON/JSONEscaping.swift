/// Which bytes of a JSON string are escaped, and how: the one rule every writer follows.
///
/// `"`, `\` and the control characters U+0000...U+001F are escaped (with the short forms
/// `\b \f \n \r \t` where they exist); every other byte, UTF-8 included, is written as is.
enum JSONEscaping {
    /// The offset of the first byte at or after `start` that must be escaped, or `bytes.count`.
    @inline(__always)
    static func nextEscape(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        let count = bytes.count
        // Most text needs no escaping: test sixteen bytes at a time.
        while index + 16 <= count {
            if mayNeedEscape(bytes.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)) { break }
            index += 16
        }
        if index + 8 <= count, !mayNeedEscape(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
            index += 8
        }
        while index < count {
            if needsEscape(bytes[index]) { return index }
            index += 1
        }
        return count
    }

    /// Whether any byte of `chunk` needs escaping. Written with wrapping arithmetic, which compiles
    /// to vector instructions, where SIMD comparisons (`.<`, `.==`) go lane by lane: per byte,
    /// `(x - k) & ~x` has its high bit set exactly when `x < k` and `x < 0x80`.
    @inline(__always)
    private static func mayNeedEscape(_ chunk: SIMD16<UInt8>) -> Bool {
        let one = SIMD16<UInt8>(repeating: 1)
        let control = (chunk &- SIMD16<UInt8>(repeating: 0x20)) & ~chunk
        let quote = chunk ^ SIMD16<UInt8>(repeating: 0x22)
        let backslash = chunk ^ SIMD16<UInt8>(repeating: 0x5C)
        let hits = (control | ((quote &- one) & ~quote) | ((backslash &- one) & ~backslash)) & SIMD16<UInt8>(repeating: 0x80)
        let words = unsafeBitCast(hits, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }

    /// The same test for eight bytes, with the borrows of plain integer arithmetic: exact for a
    /// word without a match, and a word with one is then looked at byte by byte anyway.
    @inline(__always)
    private static func mayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let control = (word &- ones &* 0x20) & ~word
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (control | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)) & (ones &* 0x80) != 0
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == 0x22 || byte == 0x5C
    }

    /// The escape sequence of a byte for which `needsEscape` holds.
    static func sequence(for byte: UInt8) -> [UInt8] {
        Int(byte) < sequences.count ? sequences[Int(byte)] : [byte]
    }

    /// By byte value, up to '\\' (0x5C); entries of bytes that are not escaped are unused.
    private static let sequences: [[UInt8]] = (0...0x5C).map { (byte: Int) -> [UInt8] in
        let short: [Int: Character] = [0x22: "\"", 0x5C: "\\", 0x08: "b", 0x0C: "f", 0x0A: "n", 0x0D: "r", 0x09: "t"]
        if let letter = short[byte] { return Array("\\\(letter)".utf8) }
        let hex = Array("0123456789abcdef".utf8)
        return Array("\\u00".utf8) + [hex[byte >> 4], hex[byte & 0xF]]
    }
}
