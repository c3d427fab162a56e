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

/// An access key as the verifier looks it up per request: its credential, and the identity it
/// signs for (nil outside the server: then verification alone is asked for). One reference,
/// built once per auth file load: handing it on costs one reference count, not one per string.
final class VerifiableKey: Sendable {
    let credential: SigV4Credential
    let identity: AuthenticatedIdentity?

    init(credential: SigV4Credential, identity: AuthenticatedIdentity?) {
        self.credential = credential
        self.identity = identity
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
        var accessKeyID = ""
        let verified = try verifiedRegion(request, now: now, signingKeys: signingKeys) { id in
            accessKeyID = String(decoding: id, as: UTF8.self)
            return credential(accessKeyID).map { VerifiableKey(credential: $0, identity: nil) }
        }
        return VerifiedSignature(accessKeyID: accessKeyID, region: verified.region)
    }

    /// The same checks, with the access key id looked up as the bytes received (the server's
    /// path: no string is built for it per request).
    ///
    /// - Returns: the region of the credential scope and the key that signed.
    func verifiedRegion(
        _ request: AuthenticationRequest, now: Double, signingKeys: SigningKeyCache,
        credentialBytes credential: (UnsafeBufferPointer<UInt8>) -> VerifiableKey?
    ) throws(WireError) -> (region: String, key: VerifiableKey) {
        // The server's walk of the headers, when it made one (read in place, borrowed here).
        if request.scannedHeaders.isRead {
            return try verifiedRegion(
                request, headers: request.scannedHeaders, now: now, signingKeys: signingKeys, credentialBytes: credential)
        }
        // Read in place, then moved (not copied: a `var` passed on borrowed was copied, nine
        // reference counts and a destroy) into the constant the checks read.
        var scanned = SigV4RequestHeaders()
        scanned.read(request.headers)
        let headers = consume scanned
        return try verifiedRegion(request, headers: headers, now: now, signingKeys: signingKeys, credentialBytes: credential)
    }

    /// The checks over the values `headers` read from `request.headers`.
    private func verifiedRegion(
        _ request: AuthenticationRequest, headers: SigV4RequestHeaders, now: Double,
        signingKeys: SigningKeyCache, credentialBytes credential: (UnsafeBufferPointer<UInt8>) -> VerifiableKey?
    ) throws(WireError) -> (region: String, key: VerifiableKey) {
        // Both, neither, or not `AWS4-`: the same answers as without verification.
        try AcceptAnyCredentialsAuthenticator.check(authorization: headers.authorization, request)
        guard let header = headers.authorization else {
            // Pre-signed query-string requests: the SDKs never send them to DynamoDB; refuse
            // rather than accept unverified.
            throw WireError.invalidSignature("Query-string authentication is not supported by this server.")
        }
        let result = SigV4Bytes.with(header) { bytes in
            Result { () throws(WireError) -> (region: String, key: VerifiableKey) in
                try verify(
                    request, header: header, bytes: bytes, headers: headers, now: now, signingKeys: signingKeys,
                    credential: credential)
            }
        }
        return try result.get()
    }

    /// The checks, in DynamoDB's order, over the `Authorization` header's bytes.
    private func verify(
        _ request: AuthenticationRequest, header: String, bytes: UnsafeBufferPointer<UInt8>,
        headers: SigV4RequestHeaders, now: Double, signingKeys: SigningKeyCache,
        credential: (UnsafeBufferPointer<UInt8>) -> VerifiableKey?
    ) throws(WireError) -> (region: String, key: VerifiableKey) {
        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        func part(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[range])
        }
        let amzDate = headers.amzDate
        // The client's header of the request before, but for its signature: its parts are known
        // and passed every check below that reads the header alone (`AuthorizationHeaderMemo`).
        let remembered = signingKeys.authorizationMemo.parsed(bytes, amzDate: amzDate != nil, service: request.service)
        let parts = remembered?.parts ?? SigV4AuthorizationHeader(scanning: bytes)
        if let token = parts.tokenWithoutEquals {
            throw WireError.incompleteSignature(
                "'\(text(token))' not a valid key=value pair (missing equal-sign) in Authorization header: '\(header)'.")
        }

        var missing = ""
        if parts.credential == nil { missing += "Authorization header requires 'Credential' parameter. " }
        if parts.signature == nil { missing += "Authorization header requires 'Signature' parameter. " }
        if parts.signedHeaders == nil { missing += "Authorization header requires 'SignedHeaders' parameter. " }
        let dateText = amzDate ?? headers.date
        if dateText == nil {
            missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        }
        guard missing.isEmpty, let credentialRange = parts.credential, let signatureRange = parts.signature,
            let signedHeadersRange = parts.signedHeaders, let dateText
        else {
            throw WireError.incompleteSignature(missing + "Authorization=" + header)
        }

        // Only the ISO 8601 basic form is accepted (every SDK sends X-Amz-Date).
        guard let requestTime = SigV4Bytes.with(dateText, { signingKeys.requestTimes.seconds($0) }) else {
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
        let signedHeaders = part(signedHeadersRange)
        var signed: SignedNameScan
        if let remembered {
            signed = remembered.signed
            if headers.repeatedKnownHeader { signed.allKnown = false }
        } else {
            signed = Self.scanSignedNames(signedHeaders, date: amzDate != nil ? "x-amz-date" : "date", known: headers)
        }
        guard signed.host else {
            throw WireError.invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.")
        }
        // The time must be signed too, or a captured request could be replayed with a fresh one.
        guard signed.date else {
            throw WireError.invalidSignature(
                "'\(amzDate != nil ? "X-Amz-Date" : "Date")' must be a 'SignedHeader' in the AWS Authorization.")
        }
        let trimmed: Range<Int>
        let scope: CredentialScope
        var scopeErrors: [String] = []
        if let remembered {
            // The algorithm, the region, the service and the terminator passed.
            trimmed = remembered.credential
            scope = remembered.scope
        } else {
            guard SigV4Bytes.equal(part(parts.algorithm), "AWS4-HMAC-SHA256") else {
                throw WireError.incompleteSignature(
                    "Unsupported AWS 'algorithm': '\(text(parts.algorithm))' (only AWS4-HMAC-SHA256 for now). ")
            }

            // Trailing slashes are ignored.
            var credential = credentialRange
            while !credential.isEmpty, bytes[credential.upperBound - 1] == UInt8(ascii: "/") {
                credential = credential.lowerBound..<(credential.upperBound - 1)
            }
            guard let found = CredentialScope(credential, in: bytes) else {
                throw WireError.incompleteSignature(
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '\(text(credentialRange))'"
                )
            }
            trimmed = credential
            scope = found
            if !Self.isValidRegion(part(scope.region)) {
                scopeErrors.append("Credential should be scoped to a valid region, not '\(text(scope.region))'.")
            }
            if !SigV4Bytes.with(request.service, { SigV4Bytes.equal(part(scope.service), $0) }) {
                scopeErrors.append("Credential should be scoped to correct service: '\(request.service)'.")
            }
            if !SigV4Bytes.equal(part(scope.terminator), "aws4_request") {
                scopeErrors.append(
                    "Credential should be scoped with a valid terminator: '\(SigV4.terminator)', not '\(text(scope.terminator))'.")
            }
        }
        let dayMatches = SigV4Bytes.with(dateText) { date in
            SigV4Bytes.equal(part(scope.day), UnsafeBufferPointer(rebasing: date.prefix(8)))
        }
        if !dayMatches {
            scopeErrors.append(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
                    + "'\(text(scope.day))' != '\(dateText.prefix(8))', from '\(dateText)'.")
        }
        if !scopeErrors.isEmpty {
            throw WireError.invalidSignature(scopeErrors.joined(separator: " "))
        }

        guard let verifiable = credential(part(scope.accessKeyID)) else {
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

        let signingKey =
            remembered?.signingKey
            ?? signingKeys.signingKey(credential: part(trimmed), secret: verifiable.credential.secretAccessKey) {
                (day: text(scope.day), region: text(scope.region), service: text(scope.service))
            }
        let expected = Self.expectedSignature(
            request, signedHeaders: signedHeaders, payloadHash: payloadHash, amzDate: dateText,
            scope: part((scope.day.lowerBound)..<trimmed.upperBound), hmac: signingKey.hmac,
            memos: (signingKeys.canonicalRequestMemo, signingKey.stringToSignMemo), known: headers, scan: signed)
        guard expected.constantTimeEquals(UnsafeRawBufferPointer(part(signatureRange))) else {
            throw WireError.signatureMismatch
        }

        if headers.securityToken != verifiable.credential.sessionToken {
            throw WireError.invalidSecurityToken
        }
        if let notAfter = verifiable.credential.notAfter, nowSeconds >= notAfter {
            throw WireError.expiredToken
        }
        // Remembered with its signed names scanned as if no kept header came twice (a scan
        // that found one stopped keeping slots).
        if remembered == nil, !headers.repeatedKnownHeader {
            signingKeys.authorizationMemo.remember(
                bytes, amzDate: amzDate != nil, service: request.service,
                parsed: AuthorizationHeaderMemo.Parsed(
                    parts: parts, signed: signed, credential: trimmed, scope: scope, signingKey: signingKey))
        }
        return (signingKey.region, verifiable)
    }

    /// The hex signature the request should carry: the canonical request hashed as it is
    /// written, the string to sign written straight into the keyed `hmac`; nothing is held whole.
    ///
    /// - Parameters:
    ///   - signedHeaders: the `SignedHeaders` value as sent (`host;x-amz-date`), lowercased here.
    ///   - payloadHash: the lowercase hex SHA-256 of the body.
    ///   - scope: `DAY/REGION/SERVICE/aws4_request`.
    static func expectedSignature(
        _ request: AuthenticationRequest, signedHeaders: UnsafeBufferPointer<UInt8>, payloadHash: HexDigest,
        amzDate: String, scope: UnsafeBufferPointer<UInt8>, hmac: KeyedHMACSHA256
    ) -> HexDigest {
        expectedSignature(
            request, signedHeaders: signedHeaders, payloadHash: payloadHash, amzDate: amzDate, scope: scope,
            hmac: hmac, canonicalSink: SHA256Stream(), stringToSignSink: hmac.begin(), finish: { $0 },
            known: SigV4RequestHeaders(), scan: SignedNameScan(allKnown: false))
    }

    /// The same, the canonical request staged on the stack and its first blocks looked up in
    /// `memos`; the canonical headers written from `known` when `scan` found it holds them all.
    static func expectedSignature(
        _ request: AuthenticationRequest, signedHeaders: UnsafeBufferPointer<UInt8>, payloadHash: HexDigest,
        amzDate: String, scope: UnsafeBufferPointer<UInt8>, hmac: KeyedHMACSHA256,
        memos: (canonicalRequest: SHA256BlockMemo, stringToSign: SHA256BlockMemo),
        known: SigV4RequestHeaders, scan: SignedNameScan
    ) -> HexDigest {
        // The canonical request is a few hundred bytes (a longer one is hashed in pieces), the
        // string to sign about 140.
        return withUnsafeTemporaryAllocation(byteCount: 1024, alignment: 8) { buffer in
            expectedSignature(
                request, signedHeaders: signedHeaders, payloadHash: payloadHash, amzDate: amzDate, scope: scope,
                hmac: hmac,
                canonicalSink: StagedSHA256Stream(
                    SHA256Stream(), buffer: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<768]),
                    memo: memos.canonicalRequest),
                stringToSignSink: StagedSHA256Stream(
                    hmac.begin(), buffer: UnsafeMutableRawBufferPointer(rebasing: buffer[768...]),
                    memo: memos.stringToSign),
                finish: { $0.finished() }, known: known, scan: scan)
        }
    }

    private static func expectedSignature<Canonical: SHA256Sink, ToSign: SigV4ByteSink>(
        _ request: AuthenticationRequest, signedHeaders: UnsafeBufferPointer<UInt8>, payloadHash: HexDigest,
        amzDate: String, scope: UnsafeBufferPointer<UInt8>, hmac: KeyedHMACSHA256, canonicalSink: Canonical,
        stringToSignSink: ToSign, finish: (ToSign) -> SHA256Stream, known: SigV4RequestHeaders,
        scan: SignedNameScan
    ) -> HexDigest {
        let uri = request.uri.utf8
        // The SDKs post to `/`: its canonical path is itself and it has no query (no search for a
        // `?` and no encoding loop over the path, about 200 instructions per request).
        let isRoot = uri.count == 1 && uri.first == UInt8(ascii: "/")
        let question = isRoot ? nil : uri.firstIndex(of: UInt8(ascii: "?"))
        let query = question.map { SigV4.canonicalQuery(Substring(uri[uri.index(after: $0)...])) } ?? ""
        var canonical = SigV4CanonicalWriter(sink: canonicalSink)
        payloadHash.withUnsafeBytes { payloadHash in
            canonical.appendCanonicalRequest(
                method: request.method.rawValue,
                path: {
                    if isRoot {
                        $0.sink.write(byte: UInt8(ascii: "/"))
                    } else {
                        $0.appendCanonicalPath(Substring(uri[..<(question ?? uri.endIndex)]).utf8)
                    }
                }, query: query,
                headers: {
                    if scan.allKnown {
                        writeKnownHeaders(known, scan: scan, into: &$0)
                    } else {
                        writeCanonicalHeaders(request.headers, signedNames: signedHeaders, into: &$0)
                    }
                },
                // Every name one `known` keeps is its lowercase name exactly.
                signedHeaders: signedHeaders, lowercaseSignedHeaders: scan.allKnown, payloadHash: payloadHash)
        }
        var stringToSign = SigV4CanonicalWriter(sink: stringToSignSink)
        stringToSign.appendStringToSign(amzDate: amzDate, scope: scope, canonicalRequestHash: canonical.sink.digest())
        return hmac.finish(finish(stringToSign.sink)).hex
    }

    /// `name:value\n` for each signed name in the order signed, a repeated header's values
    /// joined by commas in the order received. When every signed name is one `known` kept, in
    /// lowercase, and none of those came twice (the SDKs' requests), the lines are written from
    /// `known`'s values. Otherwise the headers are walked once to find which signed name each
    /// has (each visit of an `HTTPHeaders` element retains two strings), then only the signed
    /// ones are visited again.
    static func writeCanonicalHeaders<Sink: SigV4ByteSink>(
        _ headers: HTTPHeaders, known: SigV4RequestHeaders? = nil, signedNames: UnsafeBufferPointer<UInt8>,
        into canonical: inout SigV4CanonicalWriter<Sink>
    ) {
        if let known, writeKnownHeadersIfKept(known, signedNames: signedNames, into: &canonical) {
            return
        }
        var nameCount = 1
        for byte in signedNames where byte == UInt8(ascii: ";") { nameCount += 1 }
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: nameCount) { names in
            var count = 0
            var start = 0
            for index in 0...signedNames.count where index == signedNames.count || signedNames[index] == UInt8(ascii: ";") {
                names[count] = start..<index
                count += 1
                start = index + 1
            }
            // Where each signed name's first header is (-1: none), and whether any name is repeated
            // (then the values are gathered from `slots`; the SDKs send each header once).
            withUnsafeTemporaryAllocation(of: Int.self, capacity: count + headers.count) { positions in
                let firsts = UnsafeMutableBufferPointer(rebasing: positions[0..<count])
                let slots = UnsafeMutableBufferPointer(rebasing: positions[count...])
                firsts.initialize(repeating: -1)
                var repeated = false
                var position = 0
                for header in headers {
                    let slot = SigV4Bytes.with(header.name) { headerName in
                        for index in 0..<count where names[index].count == headerName.count {
                            if SigV4Bytes.equalIgnoringCase(headerName, UnsafeBufferPointer(rebasing: signedNames[names[index]])) {
                                return index
                            }
                        }
                        return -1
                    }
                    slots[position] = slot
                    if slot >= 0 {
                        if firsts[slot] < 0 { firsts[slot] = position } else { repeated = true }
                    }
                    position += 1
                }
                for index in 0..<count {
                    canonical.appendLowercased(UnsafeBufferPointer(rebasing: signedNames[names[index]]))
                    canonical.sink.write(byte: UInt8(ascii: ":"))
                    if !repeated {
                        if firsts[index] >= 0 {
                            canonical.appendHeaderValue(headers[headers.index(headers.startIndex, offsetBy: firsts[index])].value.utf8)
                        }
                    } else {
                        var first = true
                        for position in 0..<headers.count where slots[position] == index {
                            if !first { canonical.sink.write(byte: UInt8(ascii: ",")) }
                            canonical.appendHeaderValue(headers[headers.index(headers.startIndex, offsetBy: position)].value.utf8)
                            first = false
                        }
                    }
                    canonical.newline()
                }
            }
        }
    }

    /// The canonical headers from the values `known` kept, if it kept every signed name (as
    /// sent, in lowercase, in ascending order: `scanSignedNames`); false, with nothing
    /// written, otherwise.
    private static func writeKnownHeadersIfKept<Sink: SigV4ByteSink>(
        _ known: SigV4RequestHeaders, signedNames: UnsafeBufferPointer<UInt8>,
        into canonical: inout SigV4CanonicalWriter<Sink>
    ) -> Bool {
        let scan = scanSignedNames(signedNames, date: "x-amz-date", known: known)
        guard scan.allKnown else { return false }
        writeKnownHeaders(known, scan: scan, into: &canonical)
        return true
    }

    /// The canonical headers from the values `known` kept, in the slots `scan` found (which
    /// must be `allKnown`): each slot's lowercase name is the signed name as sent.
    static func writeKnownHeaders<Sink: SigV4ByteSink>(
        _ known: SigV4RequestHeaders, scan: SignedNameScan, into canonical: inout SigV4CanonicalWriter<Sink>
    ) {
        var slots = scan.slots
        var remaining = scan.count
        while remaining > 0 {
            // Slots were stored from their raw values: never nil; were it, the signature would
            // not match (fails closed).
            guard let slot = SigV4RequestHeaders.Slot(rawValue: UInt8(truncatingIfNeeded: slots)) else { return }
            canonical.append(slot.canonicalPrefix)
            known.withValue(slot) { value in
                if let value { canonical.appendHeaderValue(value.utf8) }
            }
            canonical.newline()
            slots &>>= 8
            remaining &-= 1
        }
    }

    /// What one pass over the signed names found (`scanSignedNames`).
    struct SignedNameScan {
        /// `host` is signed (in any case).
        var host = false
        /// The request's time header is signed (in any case).
        var date = false
        /// Every name is one `SigV4RequestHeaders` kept, as sent in lowercase, in strictly
        /// ascending order as the SDKs sign them, and no kept header came twice: the canonical
        /// headers can be written from the kept values.
        var allKnown: Bool
        /// When `allKnown`: the names' slots in the order signed, a byte each, the first lowest
        /// (strictly ascending, so at most the eight there are).
        var slots: UInt64 = 0
        var count = 0
    }

    /// One pass over the `;`-separated signed names: whether they include `host` and `date`
    /// (ignoring ASCII case), and whether `known` kept the value of each (see
    /// `SignedNameScan.allKnown`); a name signed twice is left to the walk of the headers.
    static func scanSignedNames(
        _ names: UnsafeBufferPointer<UInt8>, date: StaticString, known: SigV4RequestHeaders
    ) -> SignedNameScan {
        var found = SignedNameScan(allKnown: !known.repeatedKnownHeader)
        let dateSlot = SigV4RequestHeaders.Slot(
            signedName: UnsafeBufferPointer(start: date.utf8Start, count: date.utf8CodeUnitCount))
        var last = -1
        SigV4Bytes.forEachPart(names, separator: UInt8(ascii: ";")) { name in
            guard let slot = SigV4RequestHeaders.Slot(signedName: name) else {
                // Not a kept name in lowercase: compared ignoring case, and the headers are walked.
                if !found.host, SigV4Bytes.equalIgnoringCase(name, name: "host") { found.host = true }
                if !found.date, SigV4Bytes.equalIgnoringCase(name, name: date) { found.date = true }
                found.allKnown = false
                return true
            }
            // A slot's name is the lowercase name itself: it is `host` or the date exactly when it
            // is that slot, and slots ascend as their names do.
            if slot == .host { found.host = true }
            if slot == dateSlot { found.date = true }
            if found.allKnown {
                if Int(slot.rawValue) > last, found.count < 8 {
                    found.slots |= UInt64(slot.rawValue) &<< UInt64(8 &* found.count)
                    found.count &+= 1
                    last = Int(slot.rawValue)
                } else {
                    found.allKnown = false
                }
            }
            return true
        }
        return found
    }

    /// Lowercase letters, digits and dashes, starting with a letter (`us-east-1`, `local`).
    static func isValidRegion(_ region: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = region.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else {
            return false
        }
        return region.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: "-")
        }
    }
}
