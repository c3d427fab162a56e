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
    /// DynamoDB and DynamoDB Streams both sign with service `dynamodb`.
    public static let service = "dynamodb"
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

        let signedNames = signedHeadersText.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.lowercased()
        }
        guard signedNames.contains("host") else {
            throw WireError.invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.")
        }
        // The time must be signed too, or a captured request could be replayed with a fresh one.
        let dateHeaderName = amzDate != nil ? "x-amz-date" : "date"
        guard signedNames.contains(dateHeaderName) else {
            throw WireError.invalidSignature(
                "'\(amzDate != nil ? "X-Amz-Date" : "Date")' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard parts.algorithm == SigV4.algorithm else {
            throw WireError.incompleteSignature(
                "Unsupported AWS 'algorithm': '\(parts.algorithm)' (only AWS4-HMAC-SHA256 for now). ")
        }

        // Trailing slashes are ignored.
        var credentialTrimmed = credentialText
        while credentialTrimmed.last == "/" { credentialTrimmed = credentialTrimmed.dropLast() }
        let scope = credentialTrimmed.split(separator: "/", omittingEmptySubsequences: false)
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
        if service != Self.service {
            scopeErrors.append("Credential should be scoped to correct service: '\(Self.service)'.")
        }
        if terminator != SigV4.terminator {
            scopeErrors.append(
                "Credential should be scoped with a valid terminator: '\(SigV4.terminator)', not '\(terminator)'.")
        }
        let dayOfRequest = dateText.prefix(8)
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
        let payloadHash = request.body.withUnsafeReadableBytes { SigV4.sha256Hex($0) }
        if let declared = request.headers.first(name: "x-amz-content-sha256"), declared != payloadHash {
            throw WireError.signatureMismatch
        }

        let expected = Self.expectedSignature(
            request, signedNames: signedNames, payloadHash: payloadHash, amzDate: dateText,
            scope: SigV4.scope(day: String(day), region: String(region), service: String(service)),
            signingKey: signingKeys.key(
                accessKeyID: accessKeyID, secret: key.secretAccessKey, day: day, region: region, service: service))
        guard Self.constantTimeEqual(expected, signatureText) else {
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

    /// The signature the request should carry.
    static func expectedSignature(
        _ request: AuthenticationRequest, signedNames: [String], payloadHash: String, amzDate: String, scope: String,
        signingKey: SymmetricKey
    ) -> String {
        let uri = request.uri[...]
        let question = uri.firstIndex(of: "?")
        let path = question.map { uri[..<$0] } ?? uri
        let query = question.map { uri[uri.index(after: $0)...] } ?? ""
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(signedNames.count)
        for name in signedNames {
            // Repeated headers: values joined by commas, in the order received.
            let values = request.headers[name].map { SigV4.canonicalHeaderValue($0) }
            headers.append((name: name, value: values.joined(separator: ",")))
        }
        let canonical = SigV4.canonicalRequest(
            method: request.method.rawValue, path: SigV4.canonicalPath(path), query: SigV4.canonicalQuery(query),
            headers: headers, payloadHash: payloadHash)
        let stringToSign = SigV4.stringToSign(amzDate: amzDate, scope: scope, canonicalRequest: canonical)
        return SigV4.signature(signingKey: signingKey, stringToSign: stringToSign)
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
    static func constantTimeEqual(_ expected: String, _ given: Substring) -> Bool {
        let a = Array(expected.utf8)
        let b = Array(given.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
