import Crypto

/// HMAC-SHA256 (RFC 2104) with its key already absorbed: the inner and outer SHA-256 states
/// after the key's ipad and opad blocks. A request is then signed by continuing copies of
/// the two states (copy-on-write), without keying anew.
///
/// Written over the concrete `SHA256` type because swift-crypto's generic `HMAC<SHA256>` is not
/// specialised across the module boundary: each call looked up generic metadata and went
/// through protocol witnesses (about 20,000 instructions per verified request, measured with
/// `Scripts/bench/callgrind_auth.py`). `KeyedHMACSHA256Tests` checks it against `HMAC<SHA256>`.
struct KeyedHMACSHA256: @unchecked Sendable {
    private let inner: SHA256
    private let outer: SHA256

    init(key: SymmetricKey) {
        var block = [UInt8](repeating: 0, count: SHA256.blockByteCount)
        key.withUnsafeBytes { raw in
            if raw.count > block.count {
                var hasher = SHA256()
                hasher.update(bufferPointer: raw)
                hasher.finalize().withUnsafeBytes { digest in
                    for (index, byte) in digest.enumerated() { block[index] = byte }
                }
            } else {
                for (index, byte) in raw.enumerated() { block[index] = byte }
            }
        }
        var inner = SHA256()
        let ipad = block.map { $0 ^ 0x36 }
        ipad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        var outer = SHA256()
        let opad = block.map { $0 ^ 0x5c }
        opad.withUnsafeBytes { outer.update(bufferPointer: $0) }
        self.inner = inner
        self.outer = outer
    }

    /// The authentication code of `message`.
    func authenticationCode(_ message: UnsafeRawBufferPointer) -> SHA256Digest {
        var inner = self.inner
        inner.update(bufferPointer: message)
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }
}
