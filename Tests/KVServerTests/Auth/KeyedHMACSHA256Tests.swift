import Crypto
import Testing

@testable import KVServer

/// The verifier's HMAC (`KeyedHMACSHA256`, pre-keyed states over `SHA256Stream`) must equal
/// swift-crypto's `HMAC<SHA256>` for every key length, including keys longer than a block
/// (hashed first, RFC 2104 section 2) and empty messages.
@Suite("Keyed HMAC-SHA256")
struct KeyedHMACSHA256Tests {
    @Test("equals HMAC<SHA256>", arguments: [0, 1, 32, 63, 64, 65, 200])
    func matchesSwiftCrypto(keyLength: Int) {
        let key = SymmetricKey(data: (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
        let keyed = KeyedHMACSHA256(key: key)
        for messageLength in [0, 1, 55, 56, 64, 150, 1000] {
            let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
            let ours = message.withUnsafeBytes { keyed.authenticationCode($0).withUnsafeBytes { Array($0) } }
            let reference = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
            #expect(ours == reference, "key \(keyLength) bytes, message \(messageLength) bytes")
        }
    }

    @Test("one keyed value signs many messages independently")
    func reusable() {
        let keyed = KeyedHMACSHA256(key: SymmetricKey(data: Array("key".utf8)))
        let first = Array("first".utf8).withUnsafeBytes { keyed.authenticationCode($0).withUnsafeBytes { Array($0) } }
        _ = Array("second".utf8).withUnsafeBytes { keyed.authenticationCode($0) }
        let again = Array("first".utf8).withUnsafeBytes { keyed.authenticationCode($0).withUnsafeBytes { Array($0) } }
        #expect(first == again)
    }
}
