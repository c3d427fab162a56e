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
    /// when `memo` absorbed the same block from the same state before (a pure function of the
    /// two, so nothing else can make it differ). Elsewhere, or for another size, it is written.
    mutating func absorbBlock(_ block: UnsafeRawBufferPointer, memo: SHA256BlockMemo) {
        guard context.pendingCount == 0, block.count == 64, let source = block.baseAddress else {
            return write(block)
        }
        var copy = SHA256BlockMemo.Block()
        withUnsafeMutableBytes(of: &copy) { $0.copyMemory(from: block) }
        let start = context.state
        if let state = memo.state(after: copy, from: start) {
            context.state = state
            context.length &+= 64
            return
        }
        kv_sha256_update(&context, source, 64)
        memo.remember(copy, from: start, state: context.state)
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

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// Lowercase hex, 64 ASCII bytes held inline.
    var hex: HexDigest {
        var out = HexDigest()
        withUnsafeBytes { digest in
            Swift.withUnsafeMutableBytes(of: &out.words) { text in
                for index in 0..<32 {
                    let byte = digest[index]
                    text[2 &* index] = HexDigest.digit(byte >> 4)
                    text[2 &* index &+ 1] = HexDigest.digit(byte & 0xF)
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
            var difference: UInt8 = 0
            for index in 0..<mine.count { difference |= mine[index] ^ given[index] }
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
