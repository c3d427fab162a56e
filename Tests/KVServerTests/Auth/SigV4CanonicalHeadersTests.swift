import NIOHTTP1
import Testing

@testable import KVServer

/// The canonical headers are written from the values `SigV4RequestHeaders` kept in its one walk
/// of the request's headers when every signed name is one it keeps, in lowercase, and none came
/// twice; otherwise from a walk of every header. Both ways must write the same bytes, whatever
/// the request (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
/// "canonical headers").
@Suite("SigV4 canonical headers")
struct SigV4CanonicalHeadersTests {
    static func written(_ headers: HTTPHeaders, signed: String, known: Bool) -> String {
        var writer = SigV4ByteWriter()
        SigV4Bytes.with(signed) { names in
            SigV4Verifier.writeCanonicalHeaders(
                headers, known: known ? SigV4RequestHeaders(headers) : nil, signedNames: names, into: &writer)
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func headers(_ pairs: [(String, String)]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for (name, value) in pairs { headers.add(name: name, value: value) }
        return headers
    }

    static let sdk: [(String, String)] = [
        ("Host", "localhost:8000"), ("Content-Type", "application/x-amz-json-1.0"),
        ("X-Amz-Target", "DynamoDB_20120810.GetItem"), ("X-Amz-Date", "20261207T034500Z"),
        ("Authorization", "AWS4-HMAC-SHA256 Credential=K/20261207/us-east-1/dynamodb/aws4_request, ..."),
        ("Content-Length", "42"), ("User-Agent", "Boto3/1.0"),
    ]

    @Test(
        "kept values and a walk of the headers write the same",
        arguments: [
            // The SDKs' request: written from the kept values.
            (sdk, "content-type;host;x-amz-date;x-amz-target"),
            (sdk, "content-length;content-type;host;x-amz-date;x-amz-target"),
            // Names in capitals, a name not kept, an empty name, a name twice, a signed header absent.
            (sdk, "Content-Type;Host;X-Amz-Date"),
            (sdk, "content-type;host;user-agent;x-amz-date"),
            (sdk, "host;;x-amz-date"),
            (sdk, "host;host;x-amz-date"),
            (sdk, "host;x-amz-date;x-amz-security-token"),
            (sdk, "date;host;x-amz-content-sha256"),
            // A kept header twice: its values joined, in the order received.
            (sdk + [("x-amz-target", "second")], "host;x-amz-date;x-amz-target"),
            (sdk + [("HOST", "other")], "host;x-amz-date"),
            // Blanks to trim and collapse, a tab, an empty value.
            (
                [("host", "  a   b  "), ("x-amz-date", "\t20261207T034500Z"), ("content-type", ""),
                 ("x-amz-security-token", "t  o\tk")],
                "content-type;host;x-amz-date;x-amz-security-token"
            ),
            ([("host", "h")], ""),
        ] as [([(String, String)], String)])
    func sameBytes(pairs: [(String, String)], signed: String) {
        let headers = Self.headers(pairs)
        #expect(Self.written(headers, signed: signed, known: true) == Self.written(headers, signed: signed, known: false))
    }

    @Test("the SDKs' request, as the canonical request has it")
    func sdkRequest() {
        #expect(
            Self.written(Self.headers(Self.sdk), signed: "content-type;host;x-amz-date;x-amz-target", known: true)
                == "content-type:application/x-amz-json-1.0\nhost:localhost:8000\nx-amz-date:20261207T034500Z\n"
                + "x-amz-target:DynamoDB_20120810.GetItem\n")
    }

    @Test("a kept header that came twice is marked; the first value is the one read")
    func repeated() {
        let once = SigV4RequestHeaders(Self.headers(Self.sdk))
        #expect(!once.repeatedKnownHeader)
        let twice = SigV4RequestHeaders(Self.headers(Self.sdk + [("x-amz-date", "20990101T000000Z")]))
        #expect(twice.repeatedKnownHeader)
        #expect(twice.amzDate == "20261207T034500Z")
    }

    @Test("capitals found at any offset, eight bytes at a time or not")
    func hasUppercase() {
        for length in 0...40 {
            let lower = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(!lower.withUnsafeBufferPointer { SigV4Bytes.hasUppercase($0) })
            for position in 0..<length {
                for capital in [UInt8(ascii: "A"), UInt8(ascii: "Z"), UInt8(ascii: "M")] {
                    var bytes = lower
                    bytes[position] = capital
                    #expect(bytes.withUnsafeBufferPointer { SigV4Bytes.hasUppercase($0) }, "\(length) \(position)")
                }
                // Neighbours of the range, and bytes above 0x7F, are not capitals.
                for other in [UInt8(ascii: "@"), UInt8(ascii: "["), 0xC1, 0xDA, 0xFF, 0x80] {
                    var bytes = lower
                    bytes[position] = other
                    #expect(!bytes.withUnsafeBufferPointer { SigV4Bytes.hasUppercase($0) }, "\(length) \(position) \(other)")
                }
            }
        }
        // A capital after a non-ASCII byte in the same word.
        let mixed: [UInt8] = [0xC3, 0xA9, UInt8(ascii: "a"), UInt8(ascii: "B"), 0x61, 0x61, 0x61, 0x61, 0x61]
        #expect(mixed.withUnsafeBufferPointer { SigV4Bytes.hasUppercase($0) })
    }

    @Test("header names compared ignoring case eight bytes at a time: exactly as byte by byte")
    func nameComparison() {
        let names: [StaticString] = [
            "host", "date", "x-amz-date", "content-type", "x-amz-target", "authorization", "content-length",
            "x-amz-content-sha256", "x-amz-security-token",
            // Every other length to 9 (below four bytes by byte, four to seven as two overlapping
            // halves, eight and more as words and an overlapping last word).
            "a", "te", "age", "range", "expect", "trailer", "x-amz-da", "x-amz-dat",
        ]
        // Every byte at every position of every name, against the byte-by-byte comparison.
        for name in names {
            let wanted = Array(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            var candidates = [wanted, wanted.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, Array(wanted.dropLast())]
            for position in wanted.indices {
                for byte in UInt8.min...UInt8.max {
                    var changed = wanted
                    changed[position] = byte
                    candidates.append(changed)
                }
            }
            for candidate in candidates {
                let swar = candidate.withUnsafeBufferPointer { SigV4Bytes.equalIgnoringCase($0, name: name) }
                let plain = candidate.withUnsafeBufferPointer { bytes in
                    wanted.withUnsafeBufferPointer { SigV4Bytes.equalIgnoringCase(bytes, $0) }
                }
                #expect(swar == plain, "\(name) vs \(candidate)")
            }
        }
    }

    @Test("signed names: host and date found ignoring case; kept values used only for sorted lowercase kept names")
    func scan() {
        let known = SigV4RequestHeaders(Self.headers(Self.sdk))
        func scan(_ names: String, date: StaticString = "x-amz-date") -> (Bool, Bool, Bool) {
            SigV4Bytes.with(names) { bytes in
                let found = SigV4Verifier.scanSignedNames(bytes, date: date, known: known)
                return (found.host, found.date, found.allKnown)
            }
        }
        #expect(scan("content-type;host;x-amz-date;x-amz-target") == (true, true, true))
        #expect(scan("Host;X-Amz-Date") == (true, true, false))
        #expect(scan("host;x-amz-date;user-agent") == (true, true, false))
        #expect(scan("x-amz-date;host") == (true, true, false))
        #expect(scan("host;host;x-amz-date") == (true, true, false))
        #expect(scan("content-type;x-amz-date") == (false, true, true))
        #expect(scan("date;host") == (true, false, true))
        #expect(scan("date;host", date: "date") == (true, true, true))
        #expect(scan("host", date: "date") == (true, false, true))
        #expect(scan("") == (false, false, false))
        let twice = SigV4RequestHeaders(Self.headers(Self.sdk + [("Host", "again")]))
        #expect(SigV4Bytes.with("host;x-amz-date") { SigV4Verifier.scanSignedNames($0, date: "x-amz-date", known: twice).allKnown } == false)
    }
}
