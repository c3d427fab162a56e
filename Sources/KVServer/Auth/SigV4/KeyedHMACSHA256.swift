import Crypto

/// HMAC-SHA256 (RFC 2104) with its key already absorbed: the inner and outer SHA-256 states
/// after the key's ipad and opad blocks. A request is then signed by continuing copies of
/// the two states, which are plain values (`SHA256Stream`): no keying anew, no allocation.
///
/// swift-crypto's generic `HMAC<SHA256>` is not specialised across the module boundary (each
/// call looked up generic metadata and went through protocol witnesses), and its `SHA256`
/// allocates a context per copy; measured with `Scripts/bench/callgrind_auth.py`.
/// `KeyedHMACSHA256Tests` checks this against `HMAC<SHA256>`.
struct KeyedHMACSHA256: Sendable {
    private let inner: SHA256Stream
    private let outer: SHA256Stream

    init(key: SymmetricKey) {
        var block = [UInt8](repeating: 0, count: 64)
        key.withUnsafeBytes { raw in
            if raw.count > block.count {
                var hasher = SHA256Stream()
                hasher.write(raw)
                hasher.finalize().withUnsafeBytes { digest in
                    for (index, byte) in digest.enumerated() { block[index] = byte }
                }
            } else {
                for (index, byte) in raw.enumerated() { block[index] = byte }
            }
        }
        var inner = SHA256Stream()
        block.map { $0 ^ 0x36 }.withUnsafeBytes { inner.write($0) }
        var outer = SHA256Stream()
        block.map { $0 ^ 0x5c }.withUnsafeBytes { outer.write($0) }
        self.inner = inner
        self.outer = outer
    }

    /// A message to authenticate, written piece by piece into the keyed inner state.
    func begin() -> SHA256Stream {
        inner
    }

    /// The authentication code of the message written into `message` (from `begin()`).
    func finish(_ message: consuming SHA256Stream) -> SHA256Value {
        var outer = self.outer
        message.finalize().withUnsafeBytes { outer.write($0) }
        return outer.finalize()
    }

    /// The authentication code of `message`.
    func authenticationCode(_ message: UnsafeRawBufferPointer) -> SHA256Value {
        var inner = begin()
        inner.write(message)
        return finish(inner)
    }
}
