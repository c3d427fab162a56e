import Testing

@testable import KVServer

struct CompressionTests {
    @Test(arguments: [
        ([String](), nil as ContentCoding?),
        (["identity"], nil),
        (["gzip"], .gzip),
        (["deflate"], .deflate),
        (["gzip, deflate"], .gzip),
        (["deflate, gzip"], .gzip),
        (["deflate;q=1, gzip;q=0.5"], .deflate),
        (["gzip;q=0"], nil),
        (["*"], .gzip),
        (["*;q=0"], nil),
        (["gzip;q=0, *"], .deflate),
        (["gzip;q=0.5, identity"], nil),
        (["gzip;q=0.5, identity;q=0.5"], .gzip),
        (["br"], nil),
        (["x-gzip"], .gzip),
        (["GZip ; Q=0.3"], .gzip),
        (["gzip;q=abc"], nil),
        (["identity;q=0.1", "deflate;q=0.9"], .deflate),
        (["", " , "], nil),
    ])
    func negotiation(lines: [String], expected: ContentCoding?) {
        #expect(AcceptEncoding.preferredCoding(lines) == expected)
    }

    @Test(arguments: ContentCoding.allCases)
    func roundTrip(coding: ContentCoding) throws {
        let text = Array(String(repeating: #"{"pk":{"S":"value"}},"#, count: 500).utf8)
        let compressed = try #require(Zlib.compress(text, as: coding))
        #expect(compressed.count < text.count / 10)
        let restored = try compressed.withUnsafeBytes { raw in try Zlib.decompress(raw, as: coding, limit: 1 << 20) }
        #expect(restored == text)
    }

    @Test func decompressionStopsAtTheLimit() throws {
        let text = [UInt8](repeating: 0x61, count: 100_000)
        let compressed = try #require(Zlib.compress(text, as: .gzip))
        #expect(throws: Zlib.Failure.self) {
            try compressed.withUnsafeBytes { raw in try Zlib.decompress(raw, as: .gzip, limit: 99_999) }
        }
    }

    @Test func garbageIsRefused() {
        let garbage: [UInt8] = [0x1F, 0x8B, 1, 2, 3, 4, 5]
        #expect(throws: Zlib.Failure.self) {
            try garbage.withUnsafeBytes { raw in try Zlib.decompress(raw, as: .gzip, limit: 1000) }
        }
        #expect(throws: Zlib.Failure.self) {
            try [UInt8]().withUnsafeBytes { raw in try Zlib.decompress(raw, as: .deflate, limit: 1000) }
        }
    }
}
