import Crypto
import Testing

@testable import KVServer

/// The verifier hashes its messages through a stack buffer (`StagedSHA256Stream`) and skips
/// compressing a repeated first block (`SHA256BlockMemo`): a digest must not depend on the
/// buffer's size, nor on whether the memo hit, missed, or held a block from another starting state.
@Suite("SHA-256 first-block memo")
struct SHA256BlockMemoTests {
    /// `bytes` written into `sink` in random pieces, single bytes among them.
    static func write<Sink: SigV4ByteSink>(_ bytes: [UInt8], into sink: inout Sink, using generator: inout some RandomNumberGenerator) {
        var offset = 0
        while offset < bytes.count {
            if Bool.random(using: &generator) {
                sink.write(byte: bytes[offset])
                offset += 1
            } else {
                let end = min(bytes.count, offset + Int.random(in: 0...90, using: &generator))
                bytes[offset..<end].withUnsafeBytes { sink.write($0) }
                offset = end
            }
        }
    }

    @Test("hashes equal swift-crypto's, the first block repeated or not, for every length to 200")
    func matchesSwiftCrypto() {
        var generator = SystemRandomNumberGenerator()
        let memo = SHA256BlockMemo()
        let prefix = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0...200 {
            for (shared, bufferSize) in [(true, 1024), (false, 1024), (true, 64), (true, 100), (false, 1), (true, 0)] {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if shared { bytes.replaceSubrange(0..<min(64, length), with: prefix.prefix(length)) }
                let ours = withUnsafeTemporaryAllocation(byteCount: bufferSize, alignment: 8) { buffer in
                    var sink = StagedSHA256Stream(SHA256Stream(), buffer: buffer, memo: memo)
                    Self.write(bytes, into: &sink, using: &generator)
                    return sink.digest().withUnsafeBytes { Array($0) }
                }
                #expect(
                    ours == Array(SHA256.hash(data: bytes)),
                    "\(length) bytes, shared first block: \(shared), buffer \(bufferSize)")
            }
        }
    }

    @Test("keyed by the starting state: one memo, one block, two HMAC keys")
    func startingState() {
        var generator = SystemRandomNumberGenerator()
        let memo = SHA256BlockMemo()
        let message = (0..<150).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for round in 0..<4 {
            let key = SymmetricKey(data: Array("key-\(round % 2)".utf8))
            let keyed = KeyedHMACSHA256(key: key)
            let ours = withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { buffer in
                var sink = StagedSHA256Stream(keyed.begin(), buffer: buffer, memo: memo)
                Self.write(message, into: &sink, using: &generator)
                return keyed.finish(sink.finished()).withUnsafeBytes { Array($0) }
            }
            #expect(ours == Array(HMAC<SHA256>.authenticationCode(for: message, using: key)), "round \(round)")
        }
    }
}
