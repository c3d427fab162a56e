import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer

/// The verifier remembers the parts of the last `Authorization` header that verified
/// (`AuthorizationHeaderMemo`): every answer given with the memo holding a header must be the
/// answer a fresh cache gives, whatever the next request changes (the signature, its bytes
/// turned into separators, the time header's kind, the service, the time, a repeated header).
@Suite("Authorization header memo")
struct AuthorizationHeaderMemoTests {
    typealias Tests = SigV4VerifierTests

    /// The answer of a verifier with `cache`, or with a fresh cache when nil.
    static func answer(
        _ request: AuthenticationRequest, cache: SigningKeyCache?, now: Int64 = Tests.signedAt,
        credential: SigV4Credential = SigV4Credential(secretAccessKey: Tests.secret)
    ) -> Result<VerifiedSignature, WireError> {
        var scanned = request
        scanned.scannedHeaders = SigV4RequestHeaders(request.headers)
        return Result { () throws(WireError) -> VerifiedSignature in
            try SigV4Verifier().verify(scanned, now: Double(now), signingKeys: cache ?? SigningKeyCache()) { id in
                id == Tests.keyID ? credential : nil
            }
        }
    }

    /// A cache whose memo holds the header of `Tests.signed(...)` (checked).
    static func warmCache(token: String? = nil) -> SigningKeyCache {
        let cache = SigningKeyCache()
        let credential = SigV4Credential(secretAccessKey: Tests.secret, sessionToken: token)
        #expect((try? answer(Tests.signed(token: token), cache: cache, credential: credential).get()) != nil)
        let header = Tests.signed(token: token).headers.first(name: "authorization") ?? ""
        #expect(SigV4Bytes.with(header) { cache.authorizationMemo.parsed($0, amzDate: true, service: "dynamodb") } != nil)
        return cache
    }

    static func replacingAuthorization(_ request: AuthenticationRequest, _ change: (inout [UInt8]) -> Void) -> AuthenticationRequest {
        var request = request
        var bytes = Array((request.headers.first(name: "authorization") ?? "").utf8)
        change(&bytes)
        request.headers.replaceOrAdd(name: "Authorization", value: String(decoding: bytes, as: UTF8.self))
        return request
    }

    @Test("the remembered header's next requests: the same answers as a fresh cache")
    func sameAnswers() {
        let base = Tests.signed()
        var variants: [(String, AuthenticationRequest, Int64)] = [
            ("same", base, Tests.signedAt),
            ("another second", Tests.signed(at: Tests.signedAt + 1), Tests.signedAt),
            ("another body", Tests.signed(body: #"{"TableName":"U"}"#), Tests.signedAt),
            ("later, skewed", base, Tests.signedAt + 301),
            ("another day", Tests.signed(at: Tests.signedAt + 86_400), Tests.signedAt + 86_400),
            ("other secret", Tests.signed(secret: "other"), Tests.signedAt),
            ("other region", Tests.signed(region: "eu-west-1"), Tests.signedAt),
            ("other key", Tests.signed(keyID: "AKIAVERIFIERTEST0002"), Tests.signedAt),
        ]
        // The signature's digits changed, or turned into a separator, a `=`, or a new parameter.
        for (name, change) in [
            ("digit", { (bytes: inout [UInt8]) in bytes[bytes.count - 1] ^= 0x01 }),
            ("comma", { (bytes: inout [UInt8]) in bytes[bytes.count - 30] = UInt8(ascii: ",") }),
            ("blank at the end", { (bytes: inout [UInt8]) in bytes[bytes.count - 1] = UInt8(ascii: " ") }),
            ("tab", { (bytes: inout [UInt8]) in bytes[bytes.count - 64] = UInt8(ascii: "\t") }),
            ("equals", { (bytes: inout [UInt8]) in bytes[bytes.count - 10] = UInt8(ascii: "=") }),
            ("parameter", { (bytes: inout [UInt8]) in
                bytes.replaceSubrange((bytes.count - 24)..., with: Array(" SignedHeaders=host;date".utf8))
            }),
            ("token", { (bytes: inout [UInt8]) in bytes.replaceSubrange((bytes.count - 8)..., with: Array(", abcdef".utf8)) }),
            ("shorter", { (bytes: inout [UInt8]) in bytes.removeLast() }),
            ("longer", { (bytes: inout [UInt8]) in bytes.append(UInt8(ascii: "0")) }),
            ("credential", { (bytes: inout [UInt8]) in
                if let slash = bytes.firstIndex(of: UInt8(ascii: "/")) { bytes[slash] = UInt8(ascii: "_") }
            }),
        ] as [(String, (inout [UInt8]) -> Void)] {
            variants.append((name, Self.replacingAuthorization(base, change), Tests.signedAt))
        }
        // The `Date` header instead of `X-Amz-Date`, under the same Authorization header.
        var dated = base
        dated.headers.remove(name: "x-amz-date")
        dated.headers.add(name: "Date", value: UTCTimestamp.basic(Tests.signedAt))
        variants.append(("date header", dated, Tests.signedAt))
        // Another service's request (a REST route's) under the same header.
        var lambda = base
        lambda.service = "lambda"
        variants.append(("other service", lambda, Tests.signedAt))
        // A kept header sent twice.
        var repeated = base
        repeated.headers.add(name: "host", value: "localhost:8000")
        variants.append(("repeated host", repeated, Tests.signedAt))

        for (name, request, now) in variants {
            let fresh = Self.answer(request, cache: nil, now: now)
            #expect(Self.answer(request, cache: Self.warmCache(), now: now) == fresh, "\(name)")
            // And again, after the variant itself may have been remembered.
            let cache = Self.warmCache()
            _ = Self.answer(request, cache: cache, now: now)
            #expect(Self.answer(request, cache: cache, now: now) == fresh, "\(name), twice")
            #expect(Self.answer(base, cache: cache) == Self.answer(base, cache: nil), "\(name), then the base")
        }
    }

    @Test("the key, its session token and its expiry are checked on every request")
    func perRequestChecks() {
        let cache = Self.warmCache(token: "token-1")
        let request = Tests.signed(token: "token-1")
        #expect(
            Self.answer(request, cache: cache, credential: SigV4Credential(secretAccessKey: Tests.secret, sessionToken: "token-2"))
                == .failure(.invalidSecurityToken))
        #expect(
            Self.answer(
                request, cache: cache,
                credential: SigV4Credential(secretAccessKey: Tests.secret, sessionToken: "token-1", notAfter: Tests.signedAt))
                == .failure(.expiredToken))
        let unknown = Result { () throws(WireError) -> VerifiedSignature in
            try SigV4Verifier().verify(request, now: Double(Tests.signedAt), signingKeys: cache) { _ in nil }
        }
        #expect(unknown == .failure(.unrecognizedClient()))
    }

    @Test("random signature bytes: the same answers as a fresh cache")
    func randomTails() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdef ,\t=ACS/;".utf8)
        let cache = Self.warmCache()
        for round in 0..<300 {
            let request = Self.replacingAuthorization(Tests.signed()) { bytes in
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let position = bytes.count - 1 - Int.random(in: 0..<64, using: &generator)
                    bytes[position] = alphabet.randomElement(using: &generator) ?? 0
                }
            }
            #expect(Self.answer(request, cache: cache) == Self.answer(request, cache: nil), "round \(round)")
        }
    }
}

/// The request time parsed last is remembered (`BasicTimestampMemo`): its answers are
/// `UTCTimestamp.parseBasic`'s, for repeated, changed and malformed times.
@Suite("Request time memo")
struct BasicTimestampMemoTests {
    @Test("the same seconds as parsing, repeated or not, valid or not")
    func sameAsParsing() {
        var generator = SystemRandomNumberGenerator()
        let memo = BasicTimestampMemo()
        var texts = [
            "20150830T123600Z", "20150830T123600Z", "20150830T123601Z", "20150830T123600Z", "20150830T123600", "",
            "20150830T123600Z0", "2015083OT123600Z", "20151330T123600Z", "20150830X123600Z", "20150830T123600Z",
        ]
        for _ in 0..<200 {
            var bytes = Array(UTCTimestamp.basic(Int64.random(in: 0...4_102_444_800, using: &generator)).utf8)
            if Bool.random(using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            texts.append(String(decoding: bytes, as: UTF8.self))
            texts.append(texts[Int.random(in: 0..<texts.count, using: &generator)])
        }
        for text in texts {
            let expected = SigV4Bytes.with(text) { UTCTimestamp.parseBasic($0) }
            #expect(SigV4Bytes.with(text) { memo.seconds($0) } == expected, "\(text)")
        }
    }
}
