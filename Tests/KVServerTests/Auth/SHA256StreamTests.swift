import CSHA256
import Crypto
import Testing

@testable import KVServer

/// The verifier's SHA-256 (`CSHA256` through `SHA256Stream`) must equal swift-crypto's for any
/// input split any way, by the SHA extensions and by the portable code alike; FIPS 180-4's
/// examples (https://csrc.nist.gov/projects/cryptographic-standards-and-guidelines/example-values)
/// pin the known answers.
@Suite("SHA-256 stream")
struct SHA256StreamTests {
    static func digest(_ bytes: [UInt8], pieces: Int = 1) -> [UInt8] {
        var stream = SHA256Stream()
        let size = max(1, bytes.count / max(pieces, 1))
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            bytes[offset..<end].withUnsafeBytes { stream.write($0) }
            offset = end
        }
        return stream.finalize().withUnsafeBytes { Array($0) }
    }

    @Test("FIPS 180-4 examples")
    func knownAnswers() {
        #expect(Self.digest(Array("abc".utf8)).hexString
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.digest([]).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Self.digest(twoBlocks).hexString
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Self.digest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000), pieces: 37).hexString
            == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("equals swift-crypto for every length to 300 and random splits")
    func matchesSwiftCrypto() {
        var generator = SystemRandomNumberGenerator()
        for length in Array(0...300) + (0..<50).map({ _ in Int.random(in: 301...20_000, using: &generator) }) {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = Array(SHA256.hash(data: bytes))
            #expect(Self.digest(bytes) == reference, "\(length) bytes")
            #expect(Self.digest(bytes, pieces: Int.random(in: 2...9, using: &generator)) == reference, "\(length) bytes, split")
        }
    }

    @Test("the portable compression equals the SHA extensions' (and swift-crypto's)")
    func portableCompression() {
        var generator = SystemRandomNumberGenerator()
        for blocks in [1, 2, 5] {
            let bytes = (0..<(64 * blocks)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Pad by hand: one extra block holding 0x80 and the bit length.
            var padded = bytes + [0x80] + [UInt8](repeating: 0, count: 55)
            let bits = UInt64(bytes.count * 8)
            padded += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0)) }
            var state: [UInt32] = [
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
            ]
            padded.withUnsafeBufferPointer { kv_sha256_blocks_portable(&state, $0.baseAddress, padded.count / 64) }
            let portable = state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } }
            #expect(portable == Array(SHA256.hash(data: bytes)))
            #expect(portable == Self.digest(bytes))
        }
    }

    @Test("copies fork the computation (the HMAC's pre-keyed states rely on it)")
    func copiesFork() {
        var base = SHA256Stream()
        Array("prefix".utf8).withUnsafeBytes { base.write($0) }
        var a = base
        var b = base
        Array("-a".utf8).withUnsafeBytes { a.write($0) }
        Array("-b".utf8).withUnsafeBytes { b.write($0) }
        #expect(a.finalize().withUnsafeBytes { Array($0) } == Self.digest(Array("prefix-a".utf8)))
        #expect(b.finalize().withUnsafeBytes { Array($0) } == Self.digest(Array("prefix-b".utf8)))
    }

    @Test("hex of a digest: lowercase, two digits a byte, high nibble first; compared in constant time")
    func hex() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var stream = SHA256Stream()
            bytes.withUnsafeBytes { stream.write($0) }
            let value = stream.finalize()
            let expected = value.withUnsafeBytes { digest in
                digest.map { byte in
                    let digits = Array("0123456789abcdef")
                    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
                }.joined()
            }
            let hex = value.hex
            #expect(hex.string == expected)
            #expect(hex.constantTimeEquals(UnsafeRawBufferPointer(start: nil, count: 0)) == false)
            var same = Array(expected.utf8)
            #expect(same.withUnsafeBytes { hex.constantTimeEquals($0) })
            same[length % 64] ^= 1
            #expect(!same.withUnsafeBytes { hex.constantTimeEquals($0) })
        }
    }
}

extension [UInt8] {
    fileprivate var hexString: String { SigV4.hex(self) }
}
