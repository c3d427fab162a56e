/// What an operation knows about the request beyond its body.
public struct RequestContext: Sendable {
    /// The region of the request's credential scope (`us-east-1` when unsigned); used in ARNs.
    /// Read from the `Authorization` header when asked for, unless set (a verified request's).
    public var region: String {
        get { givenRegion ?? credential.region ?? "us-east-1" }
        set { givenRegion = newValue }
    }

    /// The access key of the request's credential scope, read like `region`.
    public var accessKeyID: String? {
        get {
            if let givenAccessKeyID { return givenAccessKeyID }
            return credential.accessKeyID
        }
        set { givenAccessKeyID = .some(newValue) }
    }

    /// The `Host` header (`host[:port]`), for answers that name this server (DescribeEndpoints).
    public var host: String?
    /// The fault injected into this request (`FaultDecision.label`), nil for nearly all requests.
    public var injectedFault: String?
    /// Filled in by the operation for the metrics and access log; nil when neither is on.
    public var usage: RequestUsage?

    /// The unverified `Authorization` header: parsed only by the few answers that name the
    /// region (ARNs) or the key (a stream consumer's metric), not on every request.
    private var authorization: String?
    private var givenRegion: String?
    private var givenAccessKeyID: String??

    public init(region: String = "us-east-1", accessKeyID: String? = nil, host: String? = nil) {
        givenRegion = region
        givenAccessKeyID = .some(accessKeyID)
        self.host = host
    }

    /// Region and access key from a SigV4 `Authorization` header:
    /// `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-west-2/dynamodb/aws4_request, ...`.
    public init(authorization: String?) {
        self.authorization = authorization
    }

    /// The key and region of `authorization`'s credential scope (nil where absent or empty).
    /// Scans bytes rather than Characters.
    private var credential: (accessKeyID: String?, region: String?) {
        guard var header = authorization else { return (nil, nil) }
        return header.withUTF8 { bytes in
            guard let start = Self.end(of: Self.credentialMarker, in: bytes) else { return (nil, nil) }
            var end = start
            while end < bytes.count, bytes[end] != UInt8(ascii: ","), bytes[end] != UInt8(ascii: " ") { end += 1 }
            // AKID/date/region/service/aws4_request
            var fields: [Range<Int>] = []
            var fieldStart = start
            for position in start...end where position == end || bytes[position] == UInt8(ascii: "/") {
                fields.append(fieldStart..<position)
                fieldStart = position + 1
                if fields.count == 3 { break }
            }
            var found: (accessKeyID: String?, region: String?) = (nil, nil)
            if let key = fields.first, !key.isEmpty {
                found.accessKeyID = String(decoding: UnsafeBufferPointer(rebasing: bytes[key]), as: UTF8.self)
            }
            if fields.count >= 3, !fields[2].isEmpty {
                found.region = String(decoding: UnsafeBufferPointer(rebasing: bytes[fields[2]]), as: UTF8.self)
            }
            return found
        }
    }
}

extension RequestContext {
    static let credentialMarker: [UInt8] = Array("Credential=".utf8)

    /// The index just past the first occurrence of `marker` in `bytes`.
    static func end(of marker: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !marker.isEmpty, bytes.count >= marker.count else { return nil }
        var index = 0
        while index + marker.count <= bytes.count {
            var matched = 0
            while matched < marker.count, bytes[index + matched] == marker[matched] { matched += 1 }
            if matched == marker.count { return index + marker.count }
            index += 1
        }
        return nil
    }
}

/// One API operation: the parsed request body in, the response body out.
/// Errors are thrown as `KVError` and turned into wire errors in one place.
public typealias OperationHandler = @Sendable (JSONValue, RequestContext) async throws -> JSONValue

/// An operation that can answer on the calling thread (the event loop) without blocking, saving
/// the task, promise and extra loop tick of an `OperationHandler` call. Returns nil when it cannot
/// answer that way (the engine's setup does not allow it); the `OperationHandler` then runs.
/// Registered next to, never instead of, an `OperationHandler`.
public typealias InlineOperationHandler = @Sendable (JSONValue, RequestContext) throws -> JSONValue?

/// Reads a request body straight from its bytes, skipping the `JSONValue` tree, and returns
/// handlers bound to what it read; nil hands the body to the general path (JSON parse, then
/// the operation's handler), which must then give the same answer or the exact error.
/// Accepting a body also vouches that it is valid JSON: the front end's checks that follow
/// the parse (target, authentication) still run. Runs on the event loop; must not block.
public typealias BodyDecoder = @Sendable (UnsafeRawBufferPointer) -> DecodedBody?

/// What a `BodyDecoder` made of a body: the call's handlers, bound to the request it read
/// (their `JSONValue` argument is `.null`), and what the front end would otherwise read from
/// the tree.
public struct DecodedBody: Sendable {
    public var handler: OperationHandler
    /// Answers on the event loop where it can, as the operation's own inline handler does.
    public var inlineHandler: InlineOperationHandler?
    /// `TableName` as sent, for the metrics and the access log; nil for a body naming none.
    public var tableName: String?

    public init(handler: @escaping OperationHandler, inlineHandler: InlineOperationHandler? = nil, tableName: String? = nil) {
        self.handler = handler
        self.inlineHandler = inlineHandler
        self.tableName = tableName
    }
}
