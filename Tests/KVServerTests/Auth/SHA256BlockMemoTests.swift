import Crypto
import Testing

@testable import KVServer

/// The verifier hashes its messages through a stack buffer (`StagedSHA256Stream`) and skips
/// compressing repeated leading blocks (`SHA256BlockMemo`): a digest must not depend on the
/// buffer's size, nor on whether the memo hit, missed, or held a block from another starting state.
@Suite("SHA-256 leading-block memo")
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

    @Test("two remembered blocks: the first, the second, both or neither repeated, every length to 300")
    func twoBlocks() {
        var generator = SystemRandomNumberGenerator()
        let memo = SHA256BlockMemo(blocks: 2)
        #expect(memo.blocks == 2)
        let first = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let second = (0..<64).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in stride(from: 0, through: 300, by: 3) {
            for (sharedFirst, sharedSecond, bufferSize) in [
                (true, true, 1024), (true, false, 1024), (false, true, 1024), (false, false, 1024),
                (true, true, 100), (true, true, 64), (true, true, 128), (false, true, 0),
            ] {
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                if sharedFirst { bytes.replaceSubrange(0..<min(64, length), with: first.prefix(length)) }
                if sharedSecond, length > 64 {
                    bytes.replaceSubrange(64..<min(128, length), with: second.prefix(length - 64))
                }
                // Twice: the second time every remembered block is found (a hit must equal a miss).
                for round in 0..<2 {
                    let ours = withUnsafeTemporaryAllocation(byteCount: bufferSize, alignment: 8) { buffer in
                        var sink = StagedSHA256Stream(SHA256Stream(), buffer: buffer, memo: memo)
                        Self.write(bytes, into: &sink, using: &generator)
                        return sink.digest().withUnsafeBytes { Array($0) }
                    }
                    #expect(
                        ours == Array(SHA256.hash(data: bytes)),
                        "\(length) bytes, shared \(sharedFirst)/\(sharedSecond), buffer \(bufferSize), round \(round)")
                }
            }
        }
    }

    @Test("a second block remembered after one first block is not taken after another")
    func secondBlockFollowsFirst() {
        // The same second block after two different first blocks: the state it starts from
        // differs, so the memo must miss rather than give the state of the other message.
        let memo = SHA256BlockMemo(blocks: 2)
        let second = [UInt8](repeating: 0x42, count: 64)
        for firstByte: UInt8 in [1, 2, 1, 2] {
            let bytes = [UInt8](repeating: firstByte, count: 64) + second + [7, 7, 7]
            let ours = withUnsafeTemporaryAllocation(byteCount: 512, alignment: 8) { buffer in
                var sink = StagedSHA256Stream(SHA256Stream(), buffer: buffer, memo: memo)
                bytes.withUnsafeBytes { sink.write($0) }
                return sink.digest().withUnsafeBytes { Array($0) }
            }
            #expect(ours == Array(SHA256.hash(data: bytes)), "first block of \(firstByte)")
        }
    }
}
