public import NIOCore
public import NIOHTTP1

/// What an authenticator may look at: the request line, headers and the whole body
/// (SigV4 signs a hash of the payload).
public struct AuthenticationRequest: Sendable {
    public var method: HTTPMethod
    public var uri: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// The service the credential scope must name: `dynamodb` for the DynamoDB and Streams
    /// APIs, the route's own for REST routes (`lambda`).
    public var service: String
    /// The values signature verification reads, when the server found them in its own walk of
    /// `headers` (`APIRequestProcessor.decide`, `SigV4RequestHeaders.isRead`): then the
    /// verifier does not walk them again. Read from these `headers` only, never from others:
    /// the verifier takes them as the request's. Not an optional: the verifier borrows it in
    /// place (binding an optional copied its nine strings).
    var scannedHeaders = SigV4RequestHeaders()

    public init(method: HTTPMethod, uri: String, headers: HTTPHeaders, body: ByteBuffer, service: String = "dynamodb") {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.service = service
    }

    /// Whether the query string has a parameter named exactly `name`.
    public func hasQueryParameter(_ name: String) -> Bool {
        // The SDKs post to "/": answer that without walking Characters.
        guard uri.utf8.contains(UInt8(ascii: "?")), let question = uri.firstIndex(of: "?") else { return false }
        let query = uri[uri.index(after: question)...]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let key = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? pair
            if key == name { return true }
        }
        return false
    }
}

/// Who signed a verified request, and the region of its credential scope.
public struct Authentication: Sendable {
    public var identity: AuthenticatedIdentity
    public var region: String

    public init(identity: AuthenticatedIdentity, region: String) {
        self.identity = identity
        self.region = region
    }
}

/// Decides whether a request may proceed. Runs after the operation is known and before the
/// handler; throws the wire error to answer otherwise. Returns who signed when signatures are
/// verified (then the request is authorized next), nil when any credentials are accepted.
public protocol Authenticator: Sendable {
    func authenticate(_ request: AuthenticationRequest) throws(WireError) -> Authentication?
    /// Whether a request that passes is verified (then `authenticate` names who signed, and the
    /// request's key and region are the verified ones).
    var verifiesSignatures: Bool { get }
}

extension Authenticator {
    public var verifiesSignatures: Bool { false }
}

/// Accepts any credentials, but only from requests that carry some: an `Authorization`
/// header starting with `AWS4-`, or query-string auth (`X-Amz-Algorithm`).
///
/// Mirrors the first checks DynamoDB makes (as recorded by dynalite against AWS):
/// - both `Authorization` and `X-Amz-Algorithm` -> InvalidSignatureException
///   "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.";
/// - neither, or an `Authorization` not starting with `AWS4-` -> MissingAuthenticationTokenException
///   "Request is missing Authentication Token".
/// Signature verification is a separate `Authenticator`.
public struct AcceptAnyCredentialsAuthenticator: Authenticator {
    public init() {}

    @discardableResult
    public func authenticate(_ request: AuthenticationRequest) throws(WireError) -> Authentication? {
        try Self.check(authorization: request.headers.first(name: "authorization"), request)
        return nil
    }

    /// The checks, given the request's `Authorization` header (the verifier has it already).
    static func check(authorization header: String?, _ request: AuthenticationRequest) throws(WireError) {
        let hasQueryAuth = request.hasQueryParameter("X-Amz-Algorithm")
        if header != nil && hasQueryAuth {
            throw WireError.invalidSignature(
                "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.")
        }
        if let header {
            guard Self.startsWithAWS4(header) else {
                throw WireError.missingAuthenticationToken
            }
        } else if !hasQueryAuth {
            throw WireError.missingAuthenticationToken
        }
    }
}

extension AcceptAnyCredentialsAuthenticator {
    /// `AWS4-` after optional blanks, compared as bytes (runs on every request).
    static func startsWithAWS4(_ header: String) -> Bool {
        SigV4Bytes.with(header) { bytes in
            var start = 0
            while start < bytes.count, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") {
                start += 1
            }
            return SigV4Bytes.equal(UnsafeBufferPointer(rebasing: bytes[start..<min(bytes.count, start + 5)]), "AWS4-")
        }
    }
}

extension StringProtocol {
    func trimmingASCIIWhitespace() -> SubSequence {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
        while end > start {
            let before = index(before: end)
            guard self[before] == " " || self[before] == "\t" else { break }
            end = before
        }
        return self[start..<end]
    }
}
