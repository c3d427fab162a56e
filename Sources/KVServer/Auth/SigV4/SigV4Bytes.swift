import Glibc

/// The UTF-8 of strings as buffers, for the verifier's comparisons: generic `elementsEqual` and
/// index walks over `String.UTF8View` cost tens of instructions a byte, and these run on every
/// verified request (Scripts/bench/callgrind_auth.py).
enum SigV4Bytes {
    /// Calls `body` with the UTF-8 of `text` (in place for native strings, else a copy).
    static func with<S: StringProtocol, R>(_ text: S, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = String(text)
        return copy.withUTF8(body)
    }

    static func equal<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        with(a) { left in
            with(b) { right in equal(left, right) }
        }
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let x = a.baseAddress, let y = b.baseAddress else { return true }
        return memcmp(x, y, a.count) == 0
    }

    /// Compared a word at a time without calling `memcmp` (the names and constants compared
    /// per request are 4-20 bytes): whole words, then the last eight bytes (overlapping), or
    /// byte by byte below eight.
    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: StaticString) -> Bool {
        let count = b.utf8CodeUnitCount
        guard a.count == count else { return false }
        guard let x = a.baseAddress, count > 0 else { return true }
        let left = UnsafeRawPointer(x)
        let right = UnsafeRawPointer(b.utf8Start)
        guard count >= 8 else {
            var index = 0
            while index < count {
                if left.load(fromByteOffset: index, as: UInt8.self) != right.load(fromByteOffset: index, as: UInt8.self) {
                    return false
                }
                index &+= 1
            }
            return true
        }
        var difference: UInt64 = 0
        var index = 0
        while count &- index >= 8 {
            difference |=
                left.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                ^ right.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index &+= 8
        }
        let last = count &- 8
        difference |=
            left.loadUnaligned(fromByteOffset: last, as: UInt64.self) ^ right.loadUnaligned(fromByteOffset: last, as: UInt64.self)
        return difference == 0
    }

    /// Whether `a` sorts strictly before `b`, byte by byte (an empty `a` sorts first).
    static func ascending(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let y = b.baseAddress else { return false }
        guard let x = a.baseAddress else { return true }
        let order = memcmp(x, y, min(a.count, b.count))
        return order < 0 || (order == 0 && a.count < b.count)
    }

    /// Equal but for the case of ASCII letters.
    static func equalIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var index = 0
        while index < a.count {
            if lowercased(a[index]) != lowercased(b[index]) { return false }
            index &+= 1
        }
        return true
    }

    /// Equal to `name`, a header name of lowercase letters, digits and dashes, but for the case
    /// of ASCII letters; eight bytes at a time. For such a name a byte `x` matches `y` exactly
    /// when `x | 0x20 == y` and `x` is not a control byte (`y - 0x20` is one for a digit or a
    /// dash); a word has a byte below 0x20 exactly when `(word - 0x20…) & ~word & 0x80…` is
    /// non-zero.
    static func equalIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard a.count == count, let x = a.baseAddress else { return a.count == count }
        let y = UnsafeRawPointer(name.utf8Start)
        func wordMatches(at index: Int) -> Bool {
            let word = UnsafeRawPointer(x + index).loadUnaligned(as: UInt64.self)
            return word | 0x2020_2020_2020_2020 == y.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                && (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 == 0
        }
        if count >= 8 {
            // Whole words, then the last eight bytes (overlapping the words before).
            var index = 0
            while count &- index >= 8 {
                guard wordMatches(at: index) else { return false }
                index &+= 8
            }
            return index == count || wordMatches(at: count &- 8)
        }
        if count >= 4 {
            // The first and the last four bytes (overlapping below eight): `host`, `date`.
            func halfMatches(at index: Int) -> Bool {
                let word = UnsafeRawPointer(x + index).loadUnaligned(as: UInt32.self)
                return word | 0x2020_2020 == y.loadUnaligned(fromByteOffset: index, as: UInt32.self)
                    && (word &- 0x2020_2020) & ~word & 0x8080_8080 == 0
            }
            return halfMatches(at: 0) && halfMatches(at: count &- 4)
        }
        var index = 0
        while index < count {
            if lowercased(a[index]) != y.load(fromByteOffset: index, as: UInt8.self) { return false }
            index &+= 1
        }
        return true
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// Whether some byte is an ASCII capital, eight bytes at a time while they are ASCII: in a
    /// word without a byte above 0x7F, `word + 0x3F…` sets a byte's top bit exactly when the byte
    /// is at least `A` and `word + 0x25…` when it is above `Z` (no carry crosses a byte).
    static func hasUppercase(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var index = 0
        while bytes.count &- index >= 8 {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { break }
            if (word &+ 0x3F3F_3F3F_3F3F_3F3F) & ~(word &+ 0x2525_2525_2525_2525) & 0x8080_8080_8080_8080 != 0 {
                return true
            }
            index &+= 8
        }
        while index < bytes.count {
            if bytes[index] >= UInt8(ascii: "A") && bytes[index] <= UInt8(ascii: "Z") { return true }
            index &+= 1
        }
        return false
    }

    /// Whether every byte is above 0x20 (so none is a blank), eight bytes at a time:
    /// `(word - 0x21…) & ~word & 0x80…` is non-zero exactly when some byte of `word` is below 0x21.
    static func allAboveSpace(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var index = 0
        while bytes.count &- index >= 8 {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            if (word &- 0x2121_2121_2121_2121) & ~word & 0x8080_8080_8080_8080 != 0 { return false }
            index &+= 8
        }
        while index < bytes.count {
            if bytes[index] <= 0x20 { return false }
            index &+= 1
        }
        return true
    }

    /// `bytes` split at `separator`, empty parts kept; stops when `body` returns false.
    static func forEachPart(
        _ bytes: UnsafeBufferPointer<UInt8>, separator: UInt8, _ body: (UnsafeBufferPointer<UInt8>) -> Bool
    ) {
        var start = 0
        while true {
            let end = firstIndex(of: separator, in: bytes, from: start) ?? bytes.count
            guard body(UnsafeBufferPointer(rebasing: bytes[start..<end])), end < bytes.count else { return }
            start = end &+ 1
        }
    }

    /// The index of the first `byte` at or after `start` (`memchr`: many bytes a step), or nil.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start < bytes.count,
            let found = memchr(base + start, Int32(byte), bytes.count &- start)
        else { return nil }
        return UnsafeRawPointer(found) - UnsafeRawPointer(base)
    }
}
