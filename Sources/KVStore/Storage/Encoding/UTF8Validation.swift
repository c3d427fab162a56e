/// Whether bytes are well-formed UTF-8, without building a `String`: the check `validatedString`
/// makes, for readers that pass stored text on as bytes. Finds out on the way whether the text
/// is plain (`StoredText.isPlain`), which costs a few more vector operations per 16 bytes.
@usableFromInline
enum UTF8Validation {
    @usableFromInline
    enum Outcome {
        case invalid
        case plain
        case valid
    }

    @inlinable @inline(__always)
    static func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        isPlain(UnsafeRawBufferPointer(bytes)) ? .plain : isValid(bytes) ? .valid : .invalid
    }

    /// Most stored text is plain: test sixteen (or eight) bytes at a time, the last block
    /// overlapping the one before it rather than going byte by byte.
    @inlinable @inline(__always)
    static func isPlain(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        if count >= 16 {
            var index = 0
            while index + 16 <= count {
                if mayNotBePlain(bytes.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self)) { return false }
                index += 16
            }
            return index == count || !mayNotBePlain(bytes.loadUnaligned(fromByteOffset: count - 16, as: SIMD16<UInt8>.self))
        }
        if count >= 8 {
            return !mayNotBePlain(bytes.loadUnaligned(as: UInt64.self))
                && !mayNotBePlain(bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self))
        }
        for byte in bytes where !(byte >= 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C) { return false }
        return true
    }

    /// Whether some byte of `chunk` is not plain. Wrapping arithmetic compiles to vector
    /// instructions where SIMD comparisons go lane by lane. Per byte, the high bit of
    /// `(x - 0x20) | (x + 1)` is set exactly when x is outside 0x20...0x7E, and for x inside it,
    /// that of `(x ^ c) - 1` exactly when x == c.
    @inlinable @inline(__always)
    static func mayNotBePlain(_ chunk: SIMD16<UInt8>) -> Bool {
        let one = SIMD16<UInt8>(repeating: 1)
        let outside = (chunk &- SIMD16<UInt8>(repeating: 0x20)) | (chunk &+ one)
        let quote = (chunk ^ SIMD16<UInt8>(repeating: 0x22)) &- one
        let backslash = (chunk ^ SIMD16<UInt8>(repeating: 0x5C)) &- one
        let hits = (outside | quote | backslash) & SIMD16<UInt8>(repeating: 0x80)
        let words = unsafeBitCast(hits, to: SIMD2<UInt64>.self)
        return words[0] | words[1] != 0
    }

    /// The same test for eight bytes with plain integer arithmetic: carries and borrows start
    /// only at a byte that is not plain, so the lowest such byte is always caught and a word of
    /// plain bytes never is.
    @inlinable @inline(__always)
    static func mayNotBePlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let outside = (word &- ones &* 0x20) | (word &+ ones)
        let quote = (word ^ (ones &* 0x22)) &- ones
        let backslash = (word ^ (ones &* 0x5C)) &- ones
        return (outside | quote | backslash) & (ones &* 0x80) != 0
    }

    /// Full validation: ASCII sixteen bytes at a time, scalar by scalar from the first byte
    /// that is not ASCII.
    @usableFromInline @inline(never)
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let raw = UnsafeRawBufferPointer(bytes)
        while index + 16 <= bytes.count {
            let high = raw.loadUnaligned(fromByteOffset: index, as: SIMD16<UInt8>.self) & SIMD16(repeating: 0x80)
            let words = unsafeBitCast(high, to: SIMD2<UInt64>.self)
            if words[0] | words[1] != 0 { break }
            index += 16
        }
        while index < bytes.count, bytes[index] < 0x80 { index += 1 }
        var iterator = UnsafeBufferPointer(rebasing: bytes[index...]).makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
