import NIOHTTP1
import Testing

@testable import KVServer

/// The verifier's per-request shortcuts agree with the plain ways they replace: constants
/// compared a word at a time, the `Authorization` header's three names recognised whole, the
/// kept headers numbered in the order of their names, and the request time read digit by digit
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
@Suite("SigV4 fast paths")
struct SigV4FastPathTests {
    static let constants: [StaticString] = [
        "", "a", "host", "date", "x-amz-date", "content-type", "x-amz-target", "content-length",
        "x-amz-content-sha256", "x-amz-security-token", "AWS4-HMAC-SHA256", "aws4_request", "Credential=",
        "SignedHeaders=", "Signature=",
    ]

    @Test("a constant compared a word at a time as memcmp compares it, for every length and one byte changed")
    func wordCompare() {
        for constant in Self.constants {
            let expected = Array(UnsafeBufferPointer(start: constant.utf8Start, count: constant.utf8CodeUnitCount))
            expected.withUnsafeBufferPointer { #expect(SigV4Bytes.equal($0, constant), "\(constant)") }
            for position in expected.indices {
                for change: UInt8 in [0x01, 0x20, 0x80] {
                    var changed = expected
                    changed[position] ^= change
                    changed.withUnsafeBufferPointer { #expect(!SigV4Bytes.equal($0, constant), "\(constant) \(position)") }
                }
            }
            // Shorter and longer candidates never match.
            (expected + [0x61]).withUnsafeBufferPointer { #expect(!SigV4Bytes.equal($0, constant)) }
            if !expected.isEmpty {
                Array(expected.dropLast()).withUnsafeBufferPointer { #expect(!SigV4Bytes.equal($0, constant)) }
            }
        }
    }

    @Test("the kept headers' slots: each name finds its slot, and slots ascend as their names' bytes do")
    func slots() {
        let all = SigV4RequestHeaders.Slot.allCases
        var previous: [UInt8] = []
        for slot in all {
            let prefix = slot.canonicalPrefix
            let line = Array(UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
            #expect(line.last == UInt8(ascii: ":"))
            let name = Array(line.dropLast())
            #expect(name.withUnsafeBufferPointer { SigV4RequestHeaders.Slot(signedName: $0) } == slot)
            #expect(previous.lexicographicallyPrecedes(name), "\(slot)")
            previous = name
            // In capitals it is not a kept name (the headers are walked, names lowercased).
            let upper = name.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 0x20 : $0 }
            #expect(upper.withUnsafeBufferPointer { SigV4RequestHeaders.Slot(signedName: $0) } == nil)
        }
        for other in ["user-agent", "hosts", "x-amz-dat", "", "content-md5"] {
            #expect(SigV4Bytes.with(other) { SigV4RequestHeaders.Slot(signedName: $0) } == nil)
        }
    }

    @Test("the SDKs' request: the scan keeps its slots in the order signed")
    func scanSlots() {
        var headers = HTTPHeaders()
        for (name, value) in SigV4CanonicalHeadersTests.sdk { headers.add(name: name, value: value) }
        let known = SigV4RequestHeaders(headers)
        let scan = SigV4Bytes.with("content-length;content-type;host;x-amz-date;x-amz-target") {
            SigV4Verifier.scanSignedNames($0, date: "x-amz-date", known: known)
        }
        #expect(scan.allKnown && scan.host && scan.date)
        #expect(scan.count == 5)
        var slots: [SigV4RequestHeaders.Slot] = []
        for index in 0..<scan.count {
            if let slot = SigV4RequestHeaders.Slot(rawValue: UInt8(truncatingIfNeeded: scan.slots >> UInt64(8 * index))) {
                slots.append(slot)
            }
        }
        #expect(slots == [.contentLength, .contentType, .host, .amzDate, .target])
    }

    @Test("Authorization names recognised whole or byte by byte give the same ranges")
    func authorizationNames() {
        func scan(_ text: String) -> [String?] {
            var copy = text
            return copy.withUTF8 { bytes in
                let parts = SigV4AuthorizationHeader(scanning: bytes)
                func text(_ range: Range<Int>?) -> String? {
                    range.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
                }
                return [text(parts.credential), text(parts.signedHeaders), text(parts.signature), text(parts.tokenWithoutEquals)]
            }
        }
        #expect(scan("AWS4-HMAC-SHA256 Credential=K/d/r/s/t, SignedHeaders=host, Signature=ab") == ["K/d/r/s/t", "host", "ab", nil])
        // Other cases and longer names are not the parameters (reported missing by the verifier).
        #expect(scan("AWS4-HMAC-SHA256 credential=K, Credentials=L, SignedHeader=host, signature=ab") == [nil, nil, nil, nil])
        // Empty values, a name at the very end, a name cut short.
        #expect(scan("AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=") == ["", "", "", nil])
        #expect(scan("AWS4-HMAC-SHA256 Signature=1 Credential") == [nil, nil, "1", "Credential"])
        #expect(scan("AWS4-HMAC-SHA256 Signatur") == [nil, nil, nil, "Signatur"])
        // Repeated: the last one counts, as before.
        #expect(scan("AWS4-HMAC-SHA256 Signature=1, Signature=2") == [nil, nil, "2", nil])
    }

    @Test("a region is valid as the plain definition says: a lowercase letter, then letters, digits and dashes")
    func regions() {
        func plain(_ bytes: [UInt8]) -> Bool {
            guard let first = bytes.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
            return bytes.allSatisfy {
                ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                    || $0 == UInt8(ascii: "-")
            }
        }
        for byte in UInt8.min...UInt8.max {
            for candidate in [[byte], Array("us-east-1".utf8) + [byte], [UInt8(ascii: "e"), byte, UInt8(ascii: "1")]] {
                #expect(candidate.withUnsafeBufferPointer { SigV4Verifier.isValidRegion($0) } == plain(candidate), "\(candidate)")
            }
        }
        #expect([UInt8]().withUnsafeBufferPointer { SigV4Verifier.isValidRegion($0) } == false)
    }

    @Test("the request time: digits read as the generic parser reads them")
    func basicTime() {
        for text in ["20150830T123600Z", "20261207T235959Z", "20240229T000000Z", "20230229T000000Z", "2015083aT123600Z",
            "20150830T12360/Z", "20150830T1236:0Z", "2015-830T123600Z", "20151330T123600Z", "20150830T243600Z"]
        {
            let bytes = Array(text.utf8)
            let generic: Int64? = {
                guard let year = UTCTimestamp.number(bytes, 0, 4), let month = UTCTimestamp.number(bytes, 4, 2),
                    let day = UTCTimestamp.number(bytes, 6, 2), let hour = UTCTimestamp.number(bytes, 9, 2),
                    let minute = UTCTimestamp.number(bytes, 11, 2), let second = UTCTimestamp.number(bytes, 13, 2)
                else { return nil }
                return UTCTimestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
            }()
            #expect(UTCTimestamp.parseBasic(text[...]) == generic, "\(text)")
        }
    }

    @Test("a verified request's one walk of the headers gives decide the fields its own walk gives")
    func oneWalk() {
        let sets: [[(String, String)]] = [
            SigV4CanonicalHeadersTests.sdk, [],
            SigV4CanonicalHeadersTests.sdk + [("Content-Encoding", "gzip"), ("content-encoding", "deflate")],
            [("HOST", "a"), ("host", "b"), ("X-AMZ-TARGET", "t1"), ("x-amz-target", "t2"), ("content-type", "c1"),
                ("Content-Type", "c2"), ("authorization", "first"), ("Authorization", "second"), ("hosts", "x")],
            [("content-encodings", "gzip"), ("x-amz-targets", "t"), ("authorizatio", "a")],
        ]
        for pairs in sets {
            let headers = SigV4CanonicalHeadersTests.headers(pairs)
            let own = RequestHeaderFields(headers)
            let fromScan = RequestHeaderFields(SigV4RequestHeaders(headers))
            #expect(own.contentEncoding == fromScan.contentEncoding, "\(pairs)")
            #expect(own.contentType == fromScan.contentType, "\(pairs)")
            #expect(own.target == fromScan.target, "\(pairs)")
            #expect(own.authorization == fromScan.authorization, "\(pairs)")
            #expect(own.host == fromScan.host, "\(pairs)")
        }
    }

    @Test("word-at-a-time byte checks agree with byte loops, at every length and position")
    func wordChecks() {
        func plainUpper(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } }
        func plainAbove(_ bytes: [UInt8]) -> Bool { bytes.allSatisfy { $0 > 0x20 } }
        let specials: [UInt8] = [0x00, 0x09, 0x20, 0x21, 0x40, 0x41, 0x5A, 0x5B, 0x60, 0x7F, 0x80, 0xC1, 0xDA, 0xFF]
        for length in 0..<40 {
            let base = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            var candidates = [base]
            for position in 0..<length {
                for special in specials {
                    var changed = base
                    changed[position] = special
                    candidates.append(changed)
                    // A byte above 0x7F elsewhere (it stops the capital check's words).
                    if length > 1 {
                        var both = changed
                        both[(position + length / 2) % length] = 0xE2
                        candidates.append(both)
                    }
                }
            }
            for candidate in candidates {
                candidate.withUnsafeBufferPointer { bytes in
                    #expect(SigV4Bytes.hasUppercase(bytes) == plainUpper(candidate), "\(candidate)")
                    #expect(SigV4Bytes.allAboveSpace(bytes) == plainAbove(candidate), "\(candidate)")
                }
            }
        }
    }

    @Test("the Authorization scan's separator search agrees with a byte loop, from every start")
    func separatorSearch() {
        func plain(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int {
            var cursor = start
            while cursor < end, bytes[cursor] != 0x20, bytes[cursor] != 0x09, bytes[cursor] != 0x2C { cursor += 1 }
            return cursor
        }
        let fillers: [UInt8] = [0x2D, 0x2F, 0x3D, 0x41, 0x61, 0x7A, 0xE2]
        let stops: [UInt8] = [0x20, 0x09, 0x2C, 0x2B, 0x00, 0x28, 0x2C]
        for length in 0..<34 {
            for (filler, stop) in zip(fillers, stops) {
                for position in 0...length {
                    var bytes = [UInt8](repeating: filler, count: length)
                    if position < length { bytes[position] = stop }
                    // A second stop further on, and a byte below 0x2D that is no separator before it.
                    if position + 3 < length { bytes[position + 3] = 0x2C }
                    if position > 1 { bytes[position - 2] = 0x2B }
                    bytes.withUnsafeBufferPointer { buffer in
                        for start in 0...length {
                            for end in [length, max(start, length - 1)] {
                                #expect(
                                    SigV4AuthorizationHeader.separator(in: buffer, from: start, to: end)
                                        == plain(bytes, start, end), "\(bytes) \(start) \(end)")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("a digest's hex written sixteen digits at a time is the plain hex, for every byte value in every position")
    func hexDigits() {
        for position in 0..<32 {
            for value in UInt8.min...UInt8.max {
                var words: (UInt64, UInt64, UInt64, UInt64) = (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210, 0, ~0)
                withUnsafeMutableBytes(of: &words) { $0[position] = value }
                let digest = SHA256Value(words: words)
                let expected = digest.withUnsafeBytes { bytes in
                    bytes.map { byte in
                        let digits = Array("0123456789abcdef")
                        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
                    }.joined()
                }
                #expect(digest.hex.string == expected)
            }
        }
    }
}
