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
        credential: (String) -> SigV4Credential?
    ) throws(WireError) -> VerifiedSignature {
        let headers = SigV4RequestHeaders(request.headers)
        // Both, neither, or not `AWS4-`: the same answers as without verification.
        try AcceptAnyCredentialsAuthenticator.check(authorization: headers.authorization, request)
        guard let header = headers.authorization else {
            // Pre-signed query-string requests: the SDKs never send them to DynamoDB; refuse
            // rather than accept unverified.
            throw WireError.invalidSignature("Query-string authentication is not supported by this server.")
        }
        let parts = try SigV4AuthorizationHeader.parse(header)

        var missing = ""
        if parts.credential == nil { missing += "Authorization header requires 'Credential' parameter. " }
        if parts.signature == nil { missing += "Authorization header requires 'Signature' parameter. " }
        if parts.signedHeaders == nil { missing += "Authorization header requires 'SignedHeaders' parameter. " }
        let amzDate = headers.amzDate
        let dateText = amzDate ?? headers.date
        if dateText == nil {
            missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        }
        guard missing.isEmpty, let credentialText = parts.credential, let signatureText = parts.signature,
            let signedHeaders = parts.signedHeaders, let dateText
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
        guard Self.names(signedHeaders, contain: "host") else {
            throw WireError.invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.")
        }
        // The time must be signed too, or a captured request could be replayed with a fresh one.
        guard Self.names(signedHeaders, contain: amzDate != nil ? "x-amz-date" : "date") else {
            throw WireError.invalidSignature(
                "'\(amzDate != nil ? "X-Amz-Date" : "Date")' must be a 'SignedHeader' in the AWS Authorization.")
        }
        guard SigV4Bytes.equal(parts.algorithm, SigV4.algorithm) else {
            throw WireError.incompleteSignature(
                "Unsupported AWS 'algorithm': '\(parts.algorithm)' (only AWS4-HMAC-SHA256 for now). ")
        }

        // Trailing slashes are ignored.
        var credentialTrimmed = credentialText
        while credentialTrimmed.utf8.last == UInt8(ascii: "/") {
            credentialTrimmed = Substring(credentialTrimmed.utf8.dropLast())
        }
        guard let scope = CredentialScope(credentialTrimmed) else {
            throw WireError.incompleteSignature(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(credentialText)'"
            )
        }
        var scopeErrors: [String] = []
        if !Self.isValidRegion(scope.region) {
            scopeErrors.append("Credential should be scoped to a valid region, not '\(scope.region)'.")
        }
        if !SigV4Bytes.equal(scope.service, request.service) {
            scopeErrors.append("Credential should be scoped to correct service: '\(request.service)'.")
        }
        if !SigV4Bytes.equal(scope.terminator, SigV4.terminator) {
            scopeErrors.append(
                "Credential should be scoped with a valid terminator: '\(SigV4.terminator)', not '\(scope.terminator)'.")
        }
        let dayOfRequest = Substring(dateText.utf8.prefix(8))
        if !SigV4Bytes.equal(scope.day, dayOfRequest) {
            scopeErrors.append(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    + "'\(scope.day)' != '\(dayOfRequest)', from '\(dateText)'.")
        }
        if !scopeErrors.isEmpty {
            throw WireError.invalidSignature(scopeErrors.joined(separator: " "))
        }

        let accessKeyID = String(scope.accessKeyID)
        guard let key = credential(accessKeyID) else {
            throw WireError.unrecognizedClient()
        }

        // The payload hash over the bytes received; a declared hash must be that one.
        var bodyHasher = SHA256Stream()
        request.body.withUnsafeReadableBytes { bodyHasher.write($0) }
        let payloadHash = bodyHasher.finalize().hex
        if let declared = headers.contentSHA256,
            !payloadHash.withUnsafeBytes({ hex in
                SigV4Bytes.with(declared) { SigV4Bytes.equal(hex.bindMemory(to: UInt8.self), $0) }
            })
        {
            throw WireError.signatureMismatch
        }

        let hmac = signingKeys.hmac(
            credential: credentialTrimmed, secret: key.secretAccessKey, day: scope.day, region: scope.region,
            service: scope.service)
        let expected = Self.expectedSignature(
            request, signedHeaders: signedHeaders, payloadHash: payloadHash, amzDate: dateText,
            scope: credentialTrimmed.utf8.dropFirst(scope.accessKeyID.utf8.count + 1), hmac: hmac)
        var given = signatureText
        guard given.withUTF8({ expected.constantTimeEquals(UnsafeRawBufferPointer($0)) }) else {
            throw WireError.signatureMismatch
        }

        if headers.securityToken != key.sessionToken {
            throw WireError.invalidSecurityToken
        }
        if let notAfter = key.notAfter, nowSeconds >= notAfter {
            throw WireError.expiredToken
        }
        return VerifiedSignature(accessKeyID: accessKeyID, region: String(scope.region))
    }

    /// The hex signature the request should carry: the canonical request hashed as it is
    /// written, the string to sign written straight into the keyed `hmac`; nothing is held whole.
    ///
    /// - Parameters:
    ///   - signedHeaders: the `SignedHeaders` value as sent (`host;x-amz-date`), lowercased here.
    ///   - payloadHash: the lowercase hex SHA-256 of the body.
    ///   - scope: `DAY/REGION/SERVICE/aws4_request`.
    static func expectedSignature(
        _ request: AuthenticationRequest, signedHeaders: Substring, payloadHash: HexDigest, amzDate: String,
        scope: Substring.UTF8View, hmac: KeyedHMACSHA256
    ) -> HexDigest {
        let uri = request.uri.utf8
        let question = uri.firstIndex(of: UInt8(ascii: "?"))
        var canonical = SigV4CanonicalWriter(sink: SHA256Stream())
        canonical.append(request.method.rawValue.utf8)
        canonical.newline()
        canonical.appendCanonicalPath(Substring(uri[..<(question ?? uri.endIndex)]).utf8)
        canonical.newline()
        if let question {
            canonical.append(SigV4.canonicalQuery(Substring(uri[uri.index(after: question)...])).utf8)
        }
        canonical.newline()
        SigV4Bytes.with(signedHeaders) { names in
            writeCanonicalHeaders(request.headers, signedNames: names, into: &canonical)
            canonical.newline()
            canonical.appendLowercased(names)
        }
        canonical.newline()
        payloadHash.withUnsafeBytes { canonical.sink.write($0) }

        var stringToSign = SigV4CanonicalWriter(sink: hmac.begin())
        stringToSign.append(SigV4.algorithm.utf8)
        stringToSign.newline()
        stringToSign.append(amzDate.utf8)
        stringToSign.newline()
        stringToSign.append(scope)
        stringToSign.newline()
        stringToSign.appendHex(canonical.sink.finalize())
        return hmac.finish(stringToSign.sink).hex
    }

    /// `name:value\n` for each signed name in the order signed, a repeated header's values
    /// joined by commas in the order received. The headers are walked once to find which signed
    /// name each has (each visit of an `HTTPHeaders` element retains two strings), then only the
    /// signed ones are visited again.
    static func writeCanonicalHeaders<Sink: SigV4ByteSink>(
        _ headers: HTTPHeaders, signedNames: UnsafeBufferPointer<UInt8>, into canonical: inout SigV4CanonicalWriter<Sink>
    ) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: headers.count) { slots in
            var position = 0
            for header in headers {
                var slot = -1
                var nameIndex = 0
                SigV4Bytes.with(header.name) { headerName in
                    SigV4Bytes.forEachPart(signedNames, separator: UInt8(ascii: ";")) { name in
                        if SigV4Bytes.equalIgnoringCase(headerName, name) {
                            slot = nameIndex
                            return false
                        }
                        nameIndex += 1
                        return true
                    }
                }
                slots[position] = slot
                position += 1
            }
            var nameIndex = 0
            SigV4Bytes.forEachPart(signedNames, separator: UInt8(ascii: ";")) { name in
                canonical.appendLowercased(name)
                canonical.sink.write(byte: UInt8(ascii: ":"))
                var first = true
                for position in 0..<slots.count where slots[position] == nameIndex {
                    if !first { canonical.sink.write(byte: UInt8(ascii: ",")) }
                    canonical.appendHeaderValue(headers[headers.index(headers.startIndex, offsetBy: position)].value.utf8)
                    first = false
                }
                canonical.newline()
                nameIndex += 1
                return true
            }
        }
    }

    /// Whether `;`-separated `names` include `name` (lowercase), ignoring ASCII case.
    static func names(_ names: Substring, contain name: StaticString) -> Bool {
        let wanted = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var found = false
        SigV4Bytes.with(names) { names in
            SigV4Bytes.forEachPart(names, separator: UInt8(ascii: ";")) { part in
                found = SigV4Bytes.equalIgnoringCase(part, wanted)
                return !found
            }
        }
        return found
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
}
