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

    /// Lowercase hex, 64 ASCII bytes held inline, sixteen digits at a time (`kv_sha256_hex`:
    /// three digests are written as hex per verified request).
    var hex: HexDigest {
        var out = HexDigest()
        withUnsafeBytes { digest in
            Swift.withUnsafeMutableBytes(of: &out.words) { text in
                guard let source = digest.baseAddress, let target = text.baseAddress else { return }
                kv_sha256_hex(
                    source.assumingMemoryBound(to: UInt8.self), target.assumingMemoryBound(to: UInt8.self))
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
