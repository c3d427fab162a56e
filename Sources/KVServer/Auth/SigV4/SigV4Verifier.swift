import Crypto
import NIOCore
import NIOHTTP1

/// What the verifier needs to know about an access key.
public struct SigV4Credential: Sendable {
    public var secretAccessKey: String
    /// When set, the request's `X-Amz-Security-Token` must equal it.
    public var sessionToken: String?
    /// Seconds since 1970 after which the key is refused (ExpiredTokenException).
    public var notAfter: Int64?

    public init(secretAccessKey: String, sessionToken: String? = nil, notAfter: Int64? = nil) {
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.notAfter = notAfter
    }
}

/// A request whose signature has been verified.
public struct VerifiedSignature: Sendable, Equatable {
    public var accessKeyID: String
    /// The region of the credential scope.
    public var region: String
}

/// Verifies an AWS Signature Version 4 `Authorization` header as DynamoDB does, as a pure
/// function of the request, the known keys and the time.
///
/// The order of checks and the texts are DynamoDB's, as recorded against AWS by dynalite
/// (its notes on the front-end checks, 2013) and confirmed by ScyllaDB Alternator's tests
/// (test_authorization.py): malformed header -> IncompleteSignatureException; date format;
/// 5-minute skew ("Signature expired: ..." / "Signature not yet current: ...",
/// InvalidSignatureException); `host` signed; algorithm; credential shape; scope (region,
/// service `dynamodb`, terminator, date); unknown key -> UnrecognizedClientException;
/// signature; session token. A key past `notAfter` -> ExpiredTokenException.
///
/// See https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html and
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
public struct SigV4Verifier: Sendable {
    /// How far the request time may be from ours, either way.
    public static let allowedSkew: Int64 = 300

    public init() {}

    /// - Parameters:
    ///   - now: seconds since 1970.
    ///   - credential: looks an access key id up; nil if unknown.
    ///   - signingKeys: the cache of derived keys belonging to the credentials.
    public func verify(
        _ request: AuthenticationRequest, now: Double, signingKeys: SigningKeyCache,
        credential: (Substring) -> SigV4Credential?
    ) throws(WireError) -> VerifiedSignature {
        // Both, neither, or not `AWS4-`: the same answers as without verification.
        try AcceptAnyCredentialsAuthenticator().authenticate(request)
        guard let header = request.headers.first(name: "authorization") else {
            // Pre-signed query-string requests: the SDKs never send them to DynamoDB; refuse
            // rather than accept unverified.
            throw WireError.invalidSignature("Query-string authentication is not supported by this server.")
        }
        let parts = try SigV4AuthorizationHeader.parse(header)

        var missing = ""
        if parts.credential == nil { missing += "Authorization header requires 'Credential' parameter. " }
        if parts.signature == nil { missing += "Authorization header requires 'Signature' parameter. " }
        if parts.signedHeaders == nil { missing += "Authorization header requires 'SignedHeaders' parameter. " }
        let amzDate = request.headers.first(name: "x-amz-date")
        let dateText = amzDate ?? request.headers.first(name: "date")
        if dateText == nil {
            missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        }
        guard missing.isEmpty, let credentialText = parts.credential, let signatureText = parts.signature,
            let signedHeadersText = parts.signedHeaders, let dateText
        else {
            throw WireError.incompleteSignature(missing + "Authorization=" + header)
        }

        // Only the ISO 8601 basic form is accepted (every SDK sends X-Amz-Date).
        guard let requestTime = UTCTimestamp.parseBasic(dateText[...]) else {
            throw WireError.incompleteSignature(
                "Date must be in ISO-8601 'basic format'. Got '\(dateText)'. See http://en.wikipedia.org/wiki/ISO_8601")
        }
        let nowSeconds = Int64(now.rounded(.down))
        if requestTime < nowSeconds - Self.allowedSkew {
            throw WireError.invalidSignature(
                "Signature expired: \(dateText) is now earlier than \(UTCTimestamp.basic(nowSeconds - Self.allowedSkew)) "
                    + "(\(UTCTimestamp.basic(nowSeconds)) - 5 min.)")
        }
        if requestTime > nowSeconds + Self.allowedSkew {
            throw WireError.invalidSignature(
                "Signature not yet current: \(dateText) is still later than "
                    + "\(UTCTimestamp.basic(nowSeconds + Self.allowedSkew)) (\(UTCTimestamp.basic(nowSeconds)) + 5 min.)")
        }

        // SignedHeaders as sent (the SDKs send them lowercase and sorted; the canonical request
        // repeats them lowercased).
        let signedHeaders = Self.lowercased(signedHeadersText)
        guard Self.names(signedHeaders, contain: "host") else {
            throw WireError.invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.")
        }
        // The time must be signed too, or a captured request could be replayed with a fresh one.
        let dateHeaderName = amzDate != nil ? "x-amz-date" : "date"
        guard Self.names(signedHeaders, contain: dateHeaderName) else {
            throw WireError.invalidSignature(
                "'\(amzDate != nil ? "X-Amz-Date" : "Date")' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard parts.algorithm == SigV4.algorithm else {
            throw WireError.incompleteSignature(
                "Unsupported AWS 'algorithm': '\(parts.algorithm)' (only AWS4-HMAC-SHA256 for now). ")
        }

        // Trailing slashes are ignored.
        var credentialTrimmed = credentialText
        while credentialTrimmed.utf8.last == UInt8(ascii: "/") {
            credentialTrimmed = Substring(credentialTrimmed.utf8.dropLast())
        }
        let scope = Self.splitScope(credentialTrimmed)
        guard scope.count == 5 else {
            throw WireError.incompleteSignature(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credentialText)'"
            )
        }
        let (accessKeyID, day, region, service, terminator) = (scope[0], scope[1], scope[2], scope[3], scope[4])
        var scopeErrors: [String] = []
        if !Self.isValidRegion(region) {
            scopeErrors.append("Credential should be scoped to a valid region, not '\(region)'.")
        }
        if service != request.service {
            scopeErrors.append("Credential should be scoped to correct service: '\(request.service)'.")
        }
        if terminator != SigV4.terminator {
            scopeErrors.append(
                "Credential should be scoped with a valid terminator: '\(SigV4.terminator)', not '\(terminator)'.")
        }
        let dayOfRequest = Substring(dateText.utf8.prefix(8))
        if day != dayOfRequest {
            scopeErrors.append(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    + "'\(day)' != '\(dayOfRequest)', from '\(dateText)'.")
        }
        if !scopeErrors.isEmpty {
            throw WireError.invalidSignature(scopeErrors.joined(separator: " "))
        }

        guard let key = credential(accessKeyID) else {
            throw WireError.unrecognizedClient()
        }

        // The payload hash over the bytes received; a declared hash must be that one.
        var payloadHash = SigV4CanonicalWriter(capacity: 64)
        var bodyHasher = SHA256()
        request.body.withUnsafeReadableBytes { bodyHasher.update(bufferPointer: $0) }
        payloadHash.appendHex(bodyHasher.finalize())
        if let declared = request.headers.first(name: "x-amz-content-sha256"),
            !declared.utf8.elementsEqual(payloadHash.bytes)
        {
            throw WireError.signatureMismatch
        }

        let hmac = signingKeys.hmac(
            credential: credentialTrimmed, secret: key.secretAccessKey, day: day, region: region, service: service)
        let expected = Self.expectedSignature(
            request, signedHeaders: signedHeaders, payloadHash: payloadHash.bytes, amzDate: dateText,
            scope: credentialTrimmed.utf8.dropFirst(accessKeyID.utf8.count + 1), hmac: hmac)
        guard Self.constantTimeEqual(expected, signatureText.utf8) else {
            throw WireError.signatureMismatch
        }

        let token = request.headers.first(name: "x-amz-security-token")
        if token != key.sessionToken {
            throw WireError.invalidSecurityToken
        }
        if let notAfter = key.notAfter, nowSeconds >= notAfter {
            throw WireError.expiredToken
        }
        return VerifiedSignature(accessKeyID: String(accessKeyID), region: String(region))
    }

    /// The hex signature the request should carry: the canonical request and the string to
    /// sign written as bytes, the canonical request hashed once, signed with the keyed `hmac`.
    ///
    /// - Parameters:
    ///   - signedHeaders: the lowercased `SignedHeaders` value (`host;x-amz-date`).
    ///   - payloadHash: the lowercase hex SHA-256 of the body.
    ///   - scope: `DAY/REGION/SERVICE/aws4_request`.
    static func expectedSignature(
        _ request: AuthenticationRequest, signedHeaders: [UInt8], payloadHash: [UInt8], amzDate: String,
        scope: Substring.UTF8View, hmac: KeyedHMACSHA256
    ) -> [UInt8] {
        let uri = request.uri.utf8
        let question = uri.firstIndex(of: UInt8(ascii: "?"))
        var canonical = SigV4CanonicalWriter()
        canonical.append(request.method.rawValue.utf8)
        canonical.newline()
        canonical.appendCanonicalPath(Substring(uri[..<(question ?? uri.endIndex)]).utf8)
        canonical.newline()
        if let question {
            canonical.append(SigV4.canonicalQuery(Substring(uri[uri.index(after: question)...])).utf8)
        }
        canonical.newline()
        for name in signedHeaders.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            canonical.append(name)
            canonical.append(CollectionOfOne(UInt8(ascii: ":")))
            // Repeated headers: values joined by commas, in the order received.
            var first = true
            for header in request.headers where Self.equalIgnoringASCIICase(header.name.utf8, name) {
                if !first { canonical.append(CollectionOfOne(UInt8(ascii: ","))) }
                canonical.appendHeaderValue(header.value.utf8)
                first = false
            }
            canonical.newline()
        }
        canonical.newline()
        canonical.append(signedHeaders)
        canonical.newline()
        canonical.append(payloadHash)

        var stringToSign = SigV4CanonicalWriter(capacity: 160)
        stringToSign.append(SigV4.algorithm.utf8)
        stringToSign.newline()
        stringToSign.append(amzDate.utf8)
        stringToSign.newline()
        stringToSign.append(scope)
        stringToSign.newline()
        var canonicalHasher = SHA256()
        canonical.bytes.withUnsafeBytes { canonicalHasher.update(bufferPointer: $0) }
        stringToSign.appendHex(canonicalHasher.finalize())

        var signature = SigV4CanonicalWriter(capacity: 64)
        signature.appendHex(stringToSign.bytes.withUnsafeBytes { hmac.authenticationCode($0) })
        return signature.bytes
    }

    /// Whether `;`-separated `names` include `name`.
    static func names(_ names: [UInt8], contain name: String) -> Bool {
        var start = 0
        let wanted = Array(name.utf8)
        for end in 0...names.count where end == names.count || names[end] == UInt8(ascii: ";") {
            if end - start == wanted.count, names[start..<end].elementsEqual(wanted) { return true }
            start = end + 1
        }
        return false
    }

    /// The `/`-separated parts of a credential, empty parts kept.
    static func splitScope(_ credential: Substring) -> [Substring] {
        var parts: [Substring] = []
        parts.reserveCapacity(5)
        let utf8 = credential.utf8
        var start = utf8.startIndex
        var index = start
        while index != utf8.endIndex {
            if utf8[index] == UInt8(ascii: "/") {
                parts.append(Substring(utf8[start..<index]))
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        parts.append(Substring(utf8[start..<utf8.endIndex]))
        return parts
    }

    /// The bytes of `text` with ASCII letters lowercased.
    static func lowercased(_ text: Substring) -> [UInt8] {
        text.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 }
    }

    /// Whether a header name equals a lowercase signed name, ignoring ASCII case.
    static func equalIgnoringASCIICase<A: Collection>(_ name: String.UTF8View, _ lowercase: A) -> Bool
    where A.Element == UInt8 {
        guard name.count == lowercase.count else { return false }
        return zip(name, lowercase).allSatisfy { pair in
            let byte = pair.0 >= UInt8(ascii: "A") && pair.0 <= UInt8(ascii: "Z") ? pair.0 | 0x20 : pair.0
            return byte == pair.1
        }
    }

    /// Lowercase letters, digits and dashes, starting with a letter (`us-east-1`, `local`).
    static func isValidRegion(_ region: Substring) -> Bool {
        guard let first = region.utf8.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
            return false
        }
        return region.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "-")
        }
    }

    /// Compares without stopping at the first difference (no timing hint about the signature).
    static func constantTimeEqual<B: Collection>(_ expected: [UInt8], _ given: B) -> Bool where B.Element == UInt8 {
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0
    }
}
