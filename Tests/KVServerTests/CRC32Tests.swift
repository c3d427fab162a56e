import Testing

@testable import KVServer

@Suite("CRC32")
struct CRC32Tests {
    @Test(
        "known vectors",
        arguments: [
            ("", UInt32(0)),
            ("a", 0xE8B7_BE43),
            ("123456789", 0xCBF4_3926),
            ("The quick brown fox jumps over the lazy dog", 0x414F_A339),
            // Bodies and checksums DynamoDB sends, as recorded by dynalite.
            (#"{"__type":"com.amazon.coral.service#SerializationException"}"#, 3_948_637_019),
            (#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#, 1_368_724_161),
            (
                #"{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}"#,
                2_088_342_776
            ),
            ("<UnknownOperationException/>\n", 3_552_371_480),
            ("healthy: dynamodb.us-east-1.amazonaws.com ", 3_128_867_991),
        ])
    func vectors(_ text: String, _ expected: UInt32) {
        #expect(CRC32.checksum(text) == expected)
    }

    @Test func slicedMatchesBytewise() {
        // Lengths around the 8-byte stride, against a plain bit-by-bit reference.
        var generator = SystemRandomNumberGenerator()
        // 64 bytes and up take the carry-less multiplication path (whole 16-byte blocks, the
        // tail by table): every length to 300 and some large ones, with random seeds.
        for length in Array(0...300) + [1000, 4096, 25_013, 100_003] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(CRC32.checksum(bytes) == reference(bytes), "length \(length)")
            let seed = UInt32.random(in: 0...UInt32.max, using: &generator)
            #expect(CRC32.checksum(bytes, seed: seed) == reference(bytes, seed: seed), "length \(length), seeded")
            let half = bytes.count / 2
            #expect(
                CRC32.checksum(Array(bytes[half...]), seed: CRC32.checksum(Array(bytes[..<half]))) == reference(bytes),
                "length \(length) in two parts")
        }
    }

    @Test func seedContinues() {
        let whole = Array("hello, world".utf8)
        let first = CRC32.checksum(Array(whole[0..<5]))
        #expect(CRC32.checksum(Array(whole[5...]), seed: first) == CRC32.checksum(whole))
    }

    private func reference(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        var crc: UInt32 = ~seed
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
