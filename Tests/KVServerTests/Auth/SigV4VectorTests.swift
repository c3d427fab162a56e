import NIOCore
import NIOHTTP1
import Testing

@testable import KVServer

/// The canonicalisation against AWS's published SigV4 test suite
/// (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, the
/// aws-sig-v4-test-suite as also vendored by aws-c-auth: `get-vanilla`,
/// `get-vanilla-query-order-key-case`, `post-vanilla`, `get-utf8`). Every vector signs with
/// access key AKIDEXAMPLE, secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, at
/// 20150830T123600Z, scope 20150830/us-east-1/service/aws4_request, headers `host` and
/// `x-amz-date` only, and an empty body.
@Suite("SigV4 test vectors")
struct SigV4VectorTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let amzDate = "20150830T123600Z"
    static let scope = "20150830/us-east-1/service/aws4_request"

    static func request(_ method: HTTPMethod, _ uri: String) -> AuthenticationRequest {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "example.amazonaws.com")
        headers.add(name: "X-Amz-Date", value: amzDate)
        return AuthenticationRequest(method: method, uri: uri, headers: headers, body: ByteBuffer())
    }

    static func signature(_ request: AuthenticationRequest) -> String {
        let hmac = KeyedHMACSHA256(
            key: SigV4.signingKey(secret: secret, day: "20150830", region: "us-east-1", service: "service"))
        return SigV4Bytes.with("host;x-amz-date") { signedHeaders in
            SigV4Bytes.with(scope) { scope in
                SigV4Verifier.expectedSignature(
                    request, signedHeaders: signedHeaders, payloadHash: emptyPayloadHash, amzDate: amzDate,
                    scope: scope, hmac: hmac
                ).string
            }
        }
    }

    static var emptyPayloadHash: HexDigest {
        SHA256Stream().finalize().hex
    }

    @Test("get-vanilla: canonical request, its hash and the signature")
    func getVanilla() {
        let canonical = SigV4.canonicalRequest(
            method: "GET", path: SigV4.canonicalPath("/"), query: SigV4.canonicalQuery(""),
            headers: [(name: "host", value: "example.amazonaws.com"), (name: "x-amz-date", value: Self.amzDate)],
            payloadHash: SigV4.emptyPayloadHash)
        // get-vanilla.creq
        #expect(
            canonical
                == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // get-vanilla.sts, last line
        #expect(SigV4.sha256Hex(Array(canonical.utf8)) == "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        // get-vanilla.authz
        #expect(Self.signature(Self.request(.GET, "/")) == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test(
        "published signatures",
        arguments: [
            // get-vanilla-query-order-key-case: parameters sorted by name
            (HTTPMethod.GET, "/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
            // post-vanilla
            (.POST, "/", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
            // get-utf8: the path /ሴ is canonicalised as /%E1%88%B4
            (.GET, "/\u{1234}", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        ])
    func vectors(method: HTTPMethod, uri: String, signature: String) {
        #expect(Self.signature(Self.request(method, uri)) == signature)
    }

    @Test("canonical query: names then values sorted, RFC 3986 encoding")
    func canonicalQuery() {
        #expect(SigV4.canonicalQuery("b=2&a=1&A=0") == "A=0&a=1&b=2")
        #expect(SigV4.canonicalQuery("a=x%20y&a=b") == "a=b&a=x%20y")
        #expect(SigV4.canonicalQuery("k=a+b") == "k=a%2Bb")
        #expect(SigV4.canonicalQuery("flag") == "flag=")
    }

    @Test("header values: trimmed, inner blanks collapsed")
    func headerValues() {
        #expect(SigV4.canonicalHeaderValue("  a   b \t c  ") == "a b c")
        #expect(SigV4.canonicalHeaderValue("") == "")
    }

    @Test("UTC timestamps round-trip")
    func timestamps() {
        #expect(UTCTimestamp.parseBasic("20150830T123600Z") == 1_440_938_160)
        #expect(UTCTimestamp.basic(1_440_938_160) == "20150830T123600Z")
        #expect(UTCTimestamp.parseExtended("2027-01-01T00:00:00Z") == 1_798_761_600)
        #expect(UTCTimestamp.parseExtended("2027-01-01T00:00:00.250Z") == 1_798_761_600)
        #expect(UTCTimestamp.extended(1_798_761_600) == "2027-01-01T00:00:00Z")
        #expect(UTCTimestamp.parseBasic("20150230T123600Z") == nil)
        #expect(UTCTimestamp.parseBasic("2015083T123600Z") == nil)
        #expect(UTCTimestamp.parseExtended("2027-13-01T00:00:00Z") == nil)
        #expect(UTCTimestamp.parseExtended("2027-01-01 00:00:00Z") == nil)
    }
}
