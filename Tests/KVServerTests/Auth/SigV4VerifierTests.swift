import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer

/// The verifier's answers, type and text. Sources of the texts: dynalite's notes of the
/// front-end checks recorded against DynamoDB (index.js, "THEN check ..." comments: the
/// IncompleteSignatureException, scope and "Signature expired: ... (... - 15 min.)" texts),
/// ScyllaDB Alternator's test/alternator/test_authorization.py ("Signature not yet current"),
/// AWS's own answers quoted in user reports ("Signature expired: 20141106T010406Z is now
/// earlier than 20141106T011252Z (20141106T011752Z - 5 min.)", "Signature not yet current:
/// 20170424T013926Z is still later than 20170424T013832Z (20170424T013332Z + 5 min.)"), and
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
/// (UnrecognizedClientException, InvalidSignatureException, MissingAuthenticationTokenException).
@Suite("SigV4 verifier")
struct SigV4VerifierTests {
    static let keyID = "AKIAVERIFIERTEST0001"
    static let secret = "verifier-test-secret"
    static let signedAt: Int64 = 1_440_938_160  // 20150830T123600Z
    static let body = #"{"TableName":"T"}"#

    /// A request signed the way the SDKs sign DynamoDB requests.
    static func signed(
        body: String = body, keyID: String = keyID, secret: String = secret, at time: Int64 = signedAt,
        region: String = "us-east-1", service: String = "dynamodb", token: String? = nil,
        extraHeaders: [(String, String)] = []
    ) -> AuthenticationRequest {
        let amzDate = UTCTimestamp.basic(time)
        let day = String(amzDate.prefix(8))
        var pairs: [(String, String)] = [
            ("content-type", "application/x-amz-json-1.0"), ("host", "localhost:8000"), ("x-amz-date", amzDate),
            ("x-amz-target", "DynamoDB_20120810.DescribeTable"),
        ]
        if let token { pairs.append(("x-amz-security-token", token)) }
        pairs.append(contentsOf: extraHeaders)
        pairs.sort { $0.0 < $1.0 }
        let canonical = SigV4.canonicalRequest(
            method: "POST", path: "/", query: "", headers: pairs.map { (name: $0.0, value: $0.1) },
            payloadHash: SigV4.sha256Hex(Array(body.utf8)))
        let scope = SigV4.scope(day: day, region: region, service: service)
        let signature = SigV4.signature(
            signingKey: SigV4.signingKey(secret: secret, day: day, region: region, service: service),
            stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        var headers = HTTPHeaders()
        for (name, value) in pairs { headers.add(name: name, value: value) }
        headers.add(
            name: "Authorization",
            value: SigV4.authorization(
                accessKeyID: keyID, scope: scope, signedHeaders: SigV4.signedHeaders(pairs.map(\.0)),
                signature: signature))
        return AuthenticationRequest(method: .POST, uri: "/", headers: headers, body: ByteBuffer(string: body))
    }

    /// Verified twice, with the headers walked by the verifier and with them walked beforehand
    /// as the server does (`AuthenticationRequest.scannedHeaders`): the answers must be the same.
    static func verify(
        _ request: AuthenticationRequest, now: Int64 = signedAt, credential: SigV4Credential? = nil
    ) throws(WireError) -> VerifiedSignature {
        let known = credential ?? SigV4Credential(secretAccessKey: secret)
        func once(_ request: AuthenticationRequest) -> Result<VerifiedSignature, WireError> {
            Result { () throws(WireError) -> VerifiedSignature in
                try SigV4Verifier().verify(request, now: Double(now), signingKeys: SigningKeyCache()) { id in
                    id == keyID ? known : nil
                }
            }
        }
        var scanned = request
        scanned.scannedHeaders = SigV4RequestHeaders(request.headers)
        let answer = once(request)
        #expect(once(scanned) == answer)
        return try answer.get()
    }

    static func error(_ body: () throws(WireError) -> VerifiedSignature) -> WireError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    @Test("a correctly signed request passes and names its key and region")
    func valid() throws {
        let verified = try Self.verify(Self.signed(region: "eu-west-1"))
        #expect(verified == VerifiedSignature(accessKeyID: Self.keyID, region: "eu-west-1"))
    }

    @Test("wrong secret")
    func wrongSecret() {
        #expect(Self.error { () throws(WireError) in try Self.verify(Self.signed(secret: "other")) } == .signatureMismatch)
        #expect(
            WireError.signatureMismatch.message
                == "The request signature we calculated does not match the signature you provided. Check your AWS "
                + "Secret Access Key and signing method. Consult the service documentation for details.")
    }

    @Test("altered body, altered signed header, declared payload hash that differs")
    func altered() {
        var request = Self.signed()
        request.body = ByteBuffer(string: #"{"TableName":"U"}"#)
        #expect(Self.error { () throws(WireError) in try Self.verify(request) } == .signatureMismatch)
        var header = Self.signed()
        header.headers.replaceOrAdd(name: "x-amz-target", value: "DynamoDB_20120810.DeleteTable")
        #expect(Self.error { () throws(WireError) in try Self.verify(header) } == .signatureMismatch)
        let declared = Self.signed(extraHeaders: [("x-amz-content-sha256", SigV4.emptyPayloadHash)])
        #expect(Self.error { () throws(WireError) in try Self.verify(declared) } == .signatureMismatch)
        let honest = Self.signed(extraHeaders: [("x-amz-content-sha256", SigV4.sha256Hex(Array(Self.body.utf8)))])
        #expect(Self.error { () throws(WireError) in try Self.verify(honest) } == nil)
    }

    /// SigV4 canonicalisation (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
    /// header names lowercased whatever case they are sent and listed in, values trimmed with
    /// inner blanks collapsed, a repeated header's values joined by commas in the order received.
    @Test("mixed-case SignedHeaders, blanks in values, a repeated header: canonicalised as the signer did")
    func canonicalisation() throws {
        let amzDate = UTCTimestamp.basic(Self.signedAt)
        let day = String(amzDate.prefix(8))
        let canonical = SigV4.canonicalRequest(
            method: "POST", path: "/", query: "",
            headers: [
                (name: "host", value: "localhost:8000"), (name: "x-amz-date", value: amzDate),
                (name: "x-custom", value: "one two,three"),
            ],
            payloadHash: SigV4.sha256Hex(Array(Self.body.utf8)))
        let scope = SigV4.scope(day: day, region: "us-east-1", service: "dynamodb")
        let signature = SigV4.signature(
            signingKey: SigV4.signingKey(secret: Self.secret, day: day, region: "us-east-1", service: "dynamodb"),
            stringToSign: SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical))
        func request(customValue: String) -> AuthenticationRequest {
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: "localhost:8000")
            headers.add(name: "X-Custom", value: customValue)
            headers.add(name: "X-Amz-Date", value: amzDate)
            headers.add(name: "x-custom", value: "\tthree ")
            headers.add(
                name: "Authorization",
                value: SigV4.authorization(
                    accessKeyID: Self.keyID, scope: scope, signedHeaders: "Host;X-Amz-Date;X-Custom",
                    signature: signature))
            return AuthenticationRequest(method: .POST, uri: "/", headers: headers, body: ByteBuffer(string: Self.body))
        }
        #expect(try Self.verify(request(customValue: "  one   two ")).accessKeyID == Self.keyID)
        #expect(Self.error { () throws(WireError) in try Self.verify(request(customValue: "one  twO")) } == .signatureMismatch)
    }

    @Test("unknown key")
    func unknownKey() {
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(keyID: "AKIAUNKNOWNKEY000001")) }
                == WireError(
                    type: "com.amazon.coral.service#UnrecognizedClientException",
                    message: "The security token included in the request is invalid."))
    }

    @Test("5 minutes of skew either way, then expired / not yet current")
    func skew() {
        #expect(Self.error { () throws(WireError) in try Self.verify(Self.signed(), now: Self.signedAt + 300) } == nil)
        #expect(Self.error { () throws(WireError) in try Self.verify(Self.signed(), now: Self.signedAt - 300) } == nil)
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(), now: Self.signedAt + 301) }
                == .invalidSignature(
                    "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T124101Z - 5 min.)"))
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(), now: Self.signedAt - 301) }
                == .invalidSignature(
                    "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z "
                        + "(20150830T123059Z + 5 min.)"))
    }

    @Test("key past notAfter")
    func expiredKey() {
        let credential = SigV4Credential(secretAccessKey: Self.secret, notAfter: Self.signedAt - 1)
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(), credential: credential) }
                == WireError(
                    type: "com.amazon.coral.service#ExpiredTokenException",
                    message: "The security token included in the request is expired"))
    }

    @Test("session token: required, must match, must not be invented")
    func sessionToken() {
        let credential = SigV4Credential(secretAccessKey: Self.secret, sessionToken: "token-1")
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(token: "token-1"), credential: credential) }
                == nil)
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(), credential: credential) }
                == .invalidSecurityToken)
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(token: "token-2"), credential: credential) }
                == .invalidSecurityToken)
        #expect(Self.error { () throws(WireError) in try Self.verify(Self.signed(token: "token-1")) } == .invalidSecurityToken)
    }

    @Test("bad scope: every wrong part named at once")
    func badScope() {
        #expect(
            Self.error { () throws(WireError) in try Self.verify(Self.signed(service: "s3")) }
                == .invalidSignature("Credential should be scoped to correct service: 'dynamodb'."))
        var request = Self.signed()
        request.headers.replaceOrAdd(
            name: "authorization",
            value: "AWS4-HMAC-SHA256 Credential=\(Self.keyID)/20150831/US/x/y, "
                + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc")
        #expect(
            Self.error { () throws(WireError) in try Self.verify(request) }
                == .invalidSignature(
                    "Credential should be scoped to a valid region, not 'US'. Credential should be scoped to correct "
                        + "service: 'dynamodb'. Credential should be scoped with a valid terminator: 'aws4_request', "
                        + "not 'y'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                        + "HTTP: '20150831' != '20150830', from '20150830T123600Z'."))
    }

    @Test("malformed headers: IncompleteSignatureException")
    func malformed() {
        func answer(_ authorization: String, date: String? = "20150830T123600Z") -> WireError? {
            var headers = HTTPHeaders()
            headers.add(name: "host", value: "localhost")
            if let date { headers.add(name: "x-amz-date", value: date) }
            headers.add(name: "authorization", value: authorization)
            let request = AuthenticationRequest(method: .POST, uri: "/", headers: headers, body: ByteBuffer())
            return Self.error { () throws(WireError) in try Self.verify(request) }
        }
        #expect(
            answer("AWS4-HMAC-SHA256 Signature=b", date: nil)
                == .incompleteSignature(
                    "Authorization header requires 'Credential' parameter. Authorization header requires "
                        + "'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' "
                        + "or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Signature=b"))
        #expect(
            answer("AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=b")
                == .incompleteSignature(
                    "'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: "
                        + "'AWS4-HMAC-SHA256 Credential, SignedHeaders=host, Signature=b'."))
        #expect(
            answer("AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host;x-amz-date, Signature=b")
                == .incompleteSignature(
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"
                ))
        #expect(
            answer("AWS4-HMAC-SHA25 Credential=a/b/c/d/e, SignedHeaders=host;x-amz-date, Signature=b")
                == .incompleteSignature("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "))
        #expect(
            answer("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=x-amz-date, Signature=b")
                == .invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization."))
        #expect(
            answer("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=b")
                == .invalidSignature("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."))
        #expect(
            answer("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host;x-amz-date, Signature=b", date: "201")
                == .incompleteSignature(
                    "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"))
        #expect(answer("Basic abc") == .missingAuthenticationToken)
    }

    @Test("signing keys are derived once per key, day, region and service")
    func cache() throws {
        let cache = SigningKeyCache()
        for _ in 0..<3 {
            _ = try SigV4Verifier().verify(Self.signed(), now: Double(Self.signedAt), signingKeys: cache) { _ in
                SigV4Credential(secretAccessKey: Self.secret)
            }
        }
        _ = try SigV4Verifier().verify(Self.signed(region: "eu-west-1"), now: Double(Self.signedAt), signingKeys: cache) {
            _ in SigV4Credential(secretAccessKey: Self.secret)
        }
        #expect(cache.count == 2)
    }

    /// One cache verifies request after request (its memos of the first blocks hit), and a
    /// request that differs from a verified one only after the first block, or signed with
    /// another secret, is still refused.
    @Test("a shared cache: repeated requests pass, altered ones are still refused")
    func sharedCache() {
        let cache = SigningKeyCache()
        func answer(_ request: AuthenticationRequest) -> WireError? {
            Self.error { () throws(WireError) in
                try SigV4Verifier().verify(request, now: Double(Self.signedAt), signingKeys: cache) { id in
                    id == Self.keyID ? SigV4Credential(secretAccessKey: Self.secret) : nil
                }
            }
        }
        for round in 0..<3 {
            #expect(answer(Self.signed(body: #"{"TableName":"T\#(round)"}"#)) == nil)
            #expect(answer(Self.signed(secret: "other")) == .signatureMismatch)
            var altered = Self.signed()
            altered.body = ByteBuffer(string: #"{"TableName":"U"}"#)
            #expect(answer(altered) == .signatureMismatch)
            var target = Self.signed()
            target.headers.replaceOrAdd(name: "x-amz-target", value: "DynamoDB_20120810.DeleteTable")
            #expect(answer(target) == .signatureMismatch)
            #expect(answer(Self.signed(at: Self.signedAt + 1)) == nil)
        }
    }

    /// Many signed headers, long names and a name sent in another case are matched to the
    /// signed names and canonicalised as signed; changing any of them breaks the signature.
    @Test("many signed headers, long names, mixed case: verified as signed")
    func manyHeaders() {
        for extra in [0, 11, 12, 13, 20] {
            let headers = (0..<extra).map { ("x-amz-meta-\($0)-of-a-long-name", "value \($0)") }
            let request = Self.signed(token: "token-1", extraHeaders: headers)
            let credential = SigV4Credential(secretAccessKey: Self.secret, sessionToken: "token-1")
            #expect(Self.error { () throws(WireError) in try Self.verify(request, credential: credential) } == nil, "\(extra)")
            var altered = request
            altered.headers.replaceOrAdd(name: "x-amz-security-token", value: "token-2")
            #expect(
                Self.error { () throws(WireError) in try Self.verify(altered, credential: credential) } == .signatureMismatch,
                "\(extra)")
            if extra > 0 {
                var changed = request
                changed.headers.replaceOrAdd(name: "X-Amz-Meta-0-Of-A-Long-Name", value: "other")
                #expect(
                    Self.error { () throws(WireError) in try Self.verify(changed, credential: credential) } == .signatureMismatch,
                    "\(extra)")
            }
        }
    }

    /// A blank or control byte anywhere in a header value is seen (the check reads eight bytes
    /// at a time), and bytes above ASCII are not taken for one.
    @Test("header values: a blank at any offset is found")
    func blankAnywhere() {
        for length in 0..<20 {
            for position in 0..<max(length, 1) {
                for blank: UInt8 in [0x20, 0x09, 0x00] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes.withUnsafeBufferPointer { #expect(SigV4Bytes.allAboveSpace($0)) }
                    guard length > 0 else { continue }
                    bytes[position] = blank
                    bytes.withUnsafeBufferPointer { #expect(!SigV4Bytes.allAboveSpace($0), "\(length) \(position)") }
                }
            }
        }
        Array("héllo wörld".utf8).withUnsafeBufferPointer { #expect(!SigV4Bytes.allAboveSpace($0)) }
        Array("héllo-wörld".utf8).withUnsafeBufferPointer { #expect(SigV4Bytes.allAboveSpace($0)) }
    }

    /// The `Authorization` header's parameters, separated by commas, blanks, tabs or several,
    /// at every offset (the scan skips eight bytes at a time).
    @Test("Authorization parameters found whatever separates them")
    func authorizationScan() {
        for padding in 0..<10 {
            for separator in [", ", ",", " ", "\t", " ,\t "] {
                let credential = String(repeating: "K", count: padding) + "/20150830/us-east-1/dynamodb/aws4_request"
                let signature = String(repeating: "ab", count: 32 + padding)
                let text = "AWS4-HMAC-SHA256 Credential=\(credential)\(separator)SignedHeaders=host;x-amz-date"
                    + "\(separator)Signature=\(signature)"
                var copy = text
                let found = copy.withUTF8 { bytes in
                    let parts = SigV4AuthorizationHeader(scanning: bytes)
                    func text(_ range: Range<Int>?) -> String? {
                        range.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
                    }
                    return [text(parts.algorithm), text(parts.credential), text(parts.signedHeaders), text(parts.signature)]
                }
                #expect(found == ["AWS4-HMAC-SHA256", credential, "host;x-amz-date", signature], "\(text)")
            }
        }
        var missing = "AWS4-HMAC-SHA256 Credential=abcdefghijklmnop/x, SignedHeadersWithoutEquals, Signature=1"
        let token = missing.withUTF8 { bytes in
            SigV4AuthorizationHeader(scanning: bytes).tokenWithoutEquals.map {
                String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self)
            }
        }
        #expect(token == "SignedHeadersWithoutEquals")
    }
}
