import CSHA256

/// SHA-256 as a stack value (`CSHA256`): no allocation to start, copy or finish one, so the
/// verifier hashes the payload, the canonical request and the string to sign without touching
/// the heap (see sha256.c for what swift-crypto's `SHA256` cost per request).
struct SHA256Stream: SigV4ByteSink {
    private var context = kv_sha256()

    init() {
        kv_sha256_init(&context)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        kv_sha256_update(&context, bytes.baseAddress, bytes.count)
    }

    mutating func write(byte: UInt8) {
        var byte = byte
        kv_sha256_update(&context, &byte, 1)
    }

    /// Absorbs the 64-byte `block` at a block boundary; the state after it is taken from `memo`
    /// when `memo` absorbed the same block from the same state before, as the message's block
    /// number `position` (a pure function of block and state, so nothing else can make it
    /// differ). Elsewhere, or for another size, it is written.
    mutating func absorbBlock(_ block: UnsafeRawBufferPointer, memo: SHA256BlockMemo, position: Int = 0) {
        guard context.pendingCount == 0, block.count == 64, let source = block.baseAddress else {
            return write(block)
        }
        // Loaded as eight words (no call to copy it).
        let copy = block.loadUnaligned(as: SHA256BlockMemo.Block.self)
        let start = context.state
        if let state = memo.state(after: copy, from: start, position: position) {
            context.state = state
            context.length &+= 64
            return
        }
        kv_sha256_update(&context, source, 64)
        memo.remember(copy, from: start, state: context.state, position: position)
    }

    /// The digest; the stream is spent.
    consuming func finalize() -> SHA256Value {
        var digest = SHA256Value()
        withUnsafeMutableBytes(of: &digest.words) { raw in
            kv_sha256_final(&context, raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return digest
    }
}

/// A 32-byte SHA-256 digest held inline.
struct SHA256Value: Equatable {
    fileprivate(set) var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    /// A digest of these bytes (as stored: the first byte is the low byte of `words.0` on this
    /// little-endian machine); for tests of `hex`.
    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// Lowercase hex, 64 ASCII bytes held inline. Eight digits at a time (three digests are
    /// written as hex per verified request): four bytes are spread to one nibble a byte, and
    /// each nibble `n` becomes `"0" + n`, plus 39 (`"a" - "0" - 10`) where `n + 0x76` reaches 0x80.
    var hex: HexDigest {
        var out = HexDigest()
        withUnsafeBytes { digest in
            Swift.withUnsafeMutableBytes(of: &out.words) { text in
                for chunk in 0..<8 {
                    var spread = UInt64(UInt32(littleEndian: digest.loadUnaligned(fromByteOffset: chunk &* 4, as: UInt32.self)))
                    spread = (spread | spread << 16) & 0x0000_FFFF_0000_FFFF
                    spread = (spread | spread << 8) & 0x00FF_00FF_00FF_00FF
                    // Byte i of the four in the low byte of 16-bit lane i: its high nibble first.
                    let nibbles = (spread >> 4) & 0x000F_000F_000F_000F | (spread & 0x000F_000F_000F_000F) << 8
                    let letters = ((nibbles &+ 0x7676_7676_7676_7676) >> 7) & 0x0101_0101_0101_0101
                    let digits = nibbles &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
                    text.storeBytes(of: digits.littleEndian, toByteOffset: chunk &* 8, as: UInt64.self)
                }
            }
        }
        return out
    }

    static func == (lhs: SHA256Value, rhs: SHA256Value) -> Bool {
        lhs.words == rhs.words
    }
}

/// The 64 lowercase hex digits of a SHA-256 digest, held inline.
struct HexDigest {
    fileprivate var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// Compares with `given` without stopping at the first difference (no timing hint about
    /// a signature).
    func constantTimeEquals(_ given: UnsafeRawBufferPointer) -> Bool {
        withUnsafeBytes { mine in
            guard mine.count == given.count else { return false }
            // Eight bytes at a time (the count is 64).
            var difference: UInt64 = 0
            var offset = 0
            while offset &+ 8 <= mine.count {
                difference |=
                    mine.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    ^ given.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                offset &+= 8
            }
            while offset < mine.count {
                difference |= UInt64(mine[offset] ^ given[offset])
                offset &+= 1
            }
            return difference == 0
        }
    }

    var string: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }
}
