public import KVStore
public import Logging
public import NIOCore
public import NIOHTTP1

/// A complete response before HTTP framing: the adapter adds the common headers
/// (`Server`, `x-amzn-RequestId`, `x-amz-crc32`, `Content-Length`, ...).
public struct APIResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// CRC-32 of `body`, sent as `x-amz-crc32`.
    public var crc32: UInt32
    public var extraHeaders: [(String, String)]
    /// Close the connection instead of answering (an injected `drop` fault).
    public var dropsConnection = false

    public init(status: Int, contentType: String, body: [UInt8], extraHeaders: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.crc32 = CRC32.checksum(body)
        self.extraHeaders = extraHeaders
    }

    public init(error: WireError, contentType: String) {
        self.init(status: error.status, contentType: contentType, body: error.encodedBody())
    }
}

/// The DynamoDB front end as a pure function of the request: method and content-type checks,
/// JSON parsing, routing by `X-Amz-Target`, authentication, and the handler call.
///
/// The order of checks is DynamoDB's (recorded by dynalite and dynoxide against AWS):
/// 0. `GET`/`HEAD` under `/console` answers the web console's static files when it is on (`ConsoleSite`).
/// 1. `GET /` (that path only) answers the health text; `OPTIONS` with `Origin` answers a CORS preflight; any other
///    method but `POST`, or a body with a content type other than `application/json` /
///    `application/x-amz-json-1.0`, answers 404 `<UnknownOperationException/>`.
/// 2. A body that is not JSON -> SerializationException without message.
/// 3. Missing or unknown target -> UnknownOperationException without message.
/// 4. Authentication (see `Authenticator`).
/// 5. An empty body -> SerializationException without message.
/// 6. Authorization of the verified identity (see `RequestAuthorizer`), when signatures are verified.
/// 7. The handler.
///
/// With an audit log, every POST that names a known operation leaves one record (see `AuditLog`).
///
/// We also accept `application/x-amz-json-1.1` (DynamoDB itself answers it with 404).
public struct APIRequestProcessor: Sendable {
    public static let amzJSON10 = "application/x-amz-json-1.0"
    public static let amzJSON11 = "application/x-amz-json-1.1"
    public static let plainJSON = "application/json"
    static let notFoundBody: [UInt8] = Array("<UnknownOperationException/>\n".utf8)

    public var router: Router
    public var authenticator: any Authenticator
    /// Asked after a signature was verified; nil never allows a verified request through
    /// unchecked: `KVHTTPServer` always sets one with a verifying authenticator.
    public var authorizer: (any RequestAuthorizer)?
    public var auditLog: AuditLog?
    public var logger: Logger
    /// Seconds since 1970 (`aws:CurrentTime`, audit `eventTime`).
    public var clock: @Sendable () -> Double
    /// The server's condition, for the `GET` health answer.
    public var health: @Sendable () -> HealthStatus = { HealthStatus() }
    /// The largest body a `Content-Encoding: gzip`/`deflate` request may inflate to (the
    /// request limit, 16 MiB, applies to the decoded body too).
    public var maxDecodedBodySize = 16 * 1024 * 1024
    /// Fault injection (`--faults`, `/admin/faults`); nil or without rules it costs one check.
    public var faults: FaultInjector?

    public init(
        router: Router, authenticator: any Authenticator, authorizer: (any RequestAuthorizer)? = nil,
        auditLog: AuditLog? = nil, logger: Logger, clock: @escaping @Sendable () -> Double = WallClock.now
    ) {
        self.router = router
        self.authenticator = authenticator
        self.authorizer = authorizer
        self.auditLog = auditLog
        self.logger = logger
        self.clock = clock
    }

    /// A request whose handler is to be run.
    public struct Call: Sendable {
        public var target: String
        public var handler: OperationHandler
        public var inlineHandler: InlineOperationHandler?
        public var input: JSONValue
        public var contentType: String
        public var context: RequestContext
        /// The audit record to complete with the outcome; nil without an audit log.
        var audit: AuditEvent?
        /// Set for a REST request (see `RESTRoute`): it answers the whole response itself.
        public var rest: (@Sendable () async -> APIResponse)? = nil
        /// The injected fault, applied by `run` (see `FaultEffect`); also named in `context.injectedFault`.
        public var fault: FaultDecision? = nil
        /// `TableName` of a body decoded from its bytes (`DecodedBody`), whose `input` is `.null`.
        public var tableName: String? = nil
    }

    public enum Decision: Sendable {
        /// Answer without calling a handler.
        case respond(APIResponse)
        /// Run `Call` (asynchronously) and answer with its result.
        case call(Call)
    }

    /// Everything up to the handler call; cheap and synchronous, so it runs on the event loop.
    ///
    /// - Parameters:
    ///   - localAddress: `host:port` the request arrived on, for the health answer.
    ///   - connection: the peer and whether the connection is TLS (`aws:SourceIp`, `aws:SecureTransport`).
    ///   - requestID: the `x-amzn-RequestId` the answer will carry (for the audit log).
    public func decide(
        head: HTTPRequestHead, body: ByteBuffer, localAddress: String, connection: ConnectionInfo = ConnectionInfo(),
        requestID: String = ""
    ) -> Decision {
        // The console's pages hold no data: served before authentication (see `ConsoleSite`).
        if head.method == .GET || head.method == .HEAD, let console = router.console,
            let response = console.response(uri: head.uri, ifNoneMatch: head.headers.first(name: "if-none-match"))
        {
            return .respond(response)
        }
        // DynamoDB's own requests are `POST /`; only other paths look for a REST route.
        if head.uri.utf8.count > 1, !router.restRoutes.isEmpty,
            let decision = decideREST(head: head, body: body, connection: connection, requestID: requestID)
        {
            return decision
        }
        switch head.method {
        case .GET where head.uri == "/":
            // DynamoDB answers "healthy: dynamodb.<region>.amazonaws.com " (trailing space), at
            // `/` only; any other path is an unknown operation like any other method.
            return .respond(health().response(localAddress: localAddress))
        case .OPTIONS where head.headers.contains(name: "origin"):
            var extra: [(String, String)] = [("Access-Control-Max-Age", "172800")]
            if let requested = head.headers.first(name: "access-control-request-headers") {
                extra.append(("Access-Control-Allow-Headers", requested))
            }
            if let requested = head.headers.first(name: "access-control-request-method") {
                extra.append(("Access-Control-Allow-Methods", requested))
            }
            return .respond(APIResponse(status: 200, contentType: Self.amzJSON10, body: [], extraHeaders: extra))
        case .POST:
            break
        default:
            return .respond(Self.notFound)
        }
        // The body as sent (compressed or not) is what a signature covers. A verified request's
        // headers are walked once, in place, for what verification reads and what is read here
        // (each walk retains and releases every header's two strings).
        var authenticating = AuthenticationRequest(method: head.method, uri: head.uri, headers: head.headers, body: body)
        let headers =
            authenticator.verifiesSignatures
            ? RequestHeaderFields(verifying: head.headers, into: &authenticating.scannedHeaders)
            : RequestHeaderFields(head.headers)
        var body = body
        if let encoding = headers.contentEncoding {
            switch Self.decode(body, encoding: encoding, limit: maxDecodedBodySize) {
            case .success(let decoded): body = decoded
            case .failure(let failure): return .respond(failure.response)
            }
        }

        let mediaType = Self.mediaType(of: headers.contentType)
        let responseContentType: String
        switch mediaType {
        case Self.plainJSON:
            responseContentType = Self.plainJSON
        case Self.amzJSON10, Self.amzJSON11:
            responseContentType = Self.amzJSON10
        default:
            if body.readableBytes > 0 { return .respond(Self.notFound) }
            responseContentType = Self.amzJSON10
        }

        let targetHeader = headers.target
        let route = targetHeader.flatMap(router.route(forTarget:))
        var input: JSONValue?
        // An operation may read its body straight from the bytes (see `BodyDecoder`); a body
        // it accepts is valid JSON, so the checks below still run in the same order.
        // With faults in force the body is parsed, so that rules can match its table.
        let decoded =
            body.readableBytes == 0 || faults?.isActive == true
            ? nil : route?.bodyDecoder.flatMap { decode in body.withUnsafeReadableBytes(decode) }
        if decoded != nil {
            input = .null
        } else if body.readableBytes > 0 {
            let parsed: Result<JSONValue, JSONParseError> = body.withUnsafeReadableBytes { bytes in
                Result { () throws(JSONParseError) -> JSONValue in try JSONParser.parse(bytes) }
            }
            switch parsed {
            case .success(let value): input = value
            case .failure: return .respond(APIResponse(error: .malformedBody, contentType: responseContentType))
            }
        }

        guard let target = targetHeader, let handler = decoded?.handler ?? route?.handler else {
            return .respond(APIResponse(error: .unknownOperation, contentType: responseContentType))
        }

        // Verified requests take their key and region from the signature; the header is read
        // for them only to audit one that fails verification.
        var context =
            authenticator.verifiesSignatures && auditLog == nil
            ? RequestContext() : RequestContext(authorization: headers.authorization)
        context.host = headers.host
        var audit = auditLog.map { _ in
            AuditEvent.start(
                target: target, head: head, input: input, body: body, context: context, connection: connection,
                requestID: requestID, time: clock())
        }

        let authentication: Authentication?
        do {
            // Moved into a constant (a `var` passed on borrowed was copied).
            let request = consume authenticating
            authentication = try authenticator.authenticate(request)
        } catch {
            return respond(error, contentType: responseContentType, audit: audit)
        }

        guard let input else {
            return respond(.malformedBody, contentType: responseContentType, audit: audit)
        }

        if let authentication {
            context.region = authentication.region
            context.accessKeyID = authentication.identity.accessKeyID
            audit?.identify(authentication.identity, region: authentication.region)
            do throws(WireError) {
                // Fails closed: a verified request with no authorizer configured is denied.
                guard let authorizer else { throw WireError.accessDeniedNoAuthorizer }
                // An allow the authorizer remembers needs no input built (see `allowsAsBefore`); a
                // decoded body's is looked up by its target (no operation name built on a hit).
                let remembered =
                    if let table = decoded?.tableName {
                        authorizer.allowsAsBefore(
                            identity: authentication.identity, target: target, decodedTableName: table,
                            region: authentication.region)
                    } else {
                        authorizer.allowsAsBefore(
                            identity: authentication.identity, operation: Self.operationName(target),
                            isStreamsAPI: target.hasPrefix(Router.streamsTargetPrefix), request: input,
                            decodedTableName: nil, region: authentication.region)
                    }
                if !remembered {
                    try authorizer.authorize(
                        AuthorizationInput(
                            identity: authentication.identity, operation: Self.operationName(target),
                            isStreamsAPI: target.hasPrefix(Router.streamsTargetPrefix), request: input,
                            body: body, region: authentication.region, sourceIP: connection.remoteIP,
                            secureTransport: connection.isSecure, currentTime: clock(),
                            decodedTableName: decoded?.tableName))
                }
            } catch {
                return respond(error, contentType: responseContentType, audit: audit)
            }
        }
        var call = Call(
            target: target, handler: handler, inlineHandler: decoded.map(\.inlineHandler) ?? route?.inlineHandler,
            input: input, contentType: responseContentType, context: context, audit: audit)
        call.tableName = decoded?.tableName
        if let faults, faults.isActive,
            let fault = faults.decide(operation: Self.operationName(target), table: FaultEffect.table(in: input))
        {
            call.fault = fault
            call.context.injectedFault = fault.label
        }
        return .call(call)
    }

    /// A request to one of the router's REST paths (Lambda's control plane): authenticated like
    /// every request, for the route's service, and, when signatures are verified, authorized
    /// (failing closed) as `SERVICE:ACTION` on the resource the route names; audited with the
    /// service as `eventSource`; then handed to its route with the body as bytes.
    func decideREST(head: HTTPRequestHead, body: ByteBuffer, connection: ConnectionInfo, requestID: String) -> Decision? {
        guard let route = router.restRoutes.first(where: { head.uri.hasPrefix($0.prefix) }) else { return nil }
        var context = RequestContext(authorization: head.headers.first(name: "authorization"))
        context.host = head.headers.first(name: "host")
        let (path, query) = RESTRoute.split(head.uri)
        let operation = route.authorization(head.method, path)
        var audit = auditLog.map { _ in
            AuditEvent.start(
                service: route.service, operation: operation.action, head: head, context: context,
                connection: connection, requestID: requestID, time: clock())
        }
        do throws(WireError) {
            let open = route.unsignedWhenUnverified && authenticator is AcceptAnyCredentialsAuthenticator
            let authentication = open ? nil : try authenticator.authenticate(
                AuthenticationRequest(
                    method: head.method, uri: head.uri, headers: head.headers, body: body, service: route.service))
            if let authentication {
                context.region = authentication.region
                context.accessKeyID = authentication.identity.accessKeyID
                audit?.identify(authentication.identity, region: authentication.region)
                guard let authorizer else { throw WireError.accessDeniedNoAuthorizer }
                let resource = operation.resource.map {
                    "arn:aws:\(route.service):\(authentication.region):\(authentication.identity.accountID):\($0)"
                }
                try authorizer.authorize(
                    AuthorizationInput(
                        identity: authentication.identity, operation: operation.action, isStreamsAPI: false,
                        request: .object([:]), body: body, region: authentication.region,
                        sourceIP: connection.remoteIP, secureTransport: connection.isSecure, currentTime: clock(),
                        service: route.service, resource: resource))
            }
        } catch {
            return respond(error, contentType: Self.plainJSON, audit: audit)
        }
        let request = RESTRequest(
            method: head.method, path: path, query: query, body: Array(body.readableBytesView), context: context)
        let handler = route.handler
        return .call(
            Call(
                target: "REST " + path, handler: { _, _ in .null }, inlineHandler: nil, input: .null,
                contentType: Self.plainJSON, context: context, audit: audit, rest: { await handler(request) }))
    }

    /// `GetItem` of `DynamoDB_20120810.GetItem`.
    static func operationName(_ target: String) -> String {
        // Bytes, not Characters: this runs per request for the metrics (and the authorizer).
        let found: String?? = target.utf8.withContiguousStorageIfAvailable { bytes in
            var index = bytes.count
            while index > 0 {
                index -= 1
                if bytes[index] == UInt8(ascii: ".") {
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[(index + 1)...]), as: UTF8.self)
                }
            }
            return nil
        }
        if let found { return found ?? target }
        let utf8 = target.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return target }
        return String(Substring(utf8[utf8.index(after: dot)...]))
    }

    /// An error answer decided before the handler, audited when there is a log.
    private func respond(_ error: WireError, contentType: String, audit: AuditEvent?) -> Decision {
        if let audit, let auditLog {
            auditLog.record(audit.finished(error: error))
        }
        return .respond(APIResponse(error: error, contentType: contentType))
    }

    /// Completes the call's audit record with the answer.
    private func audited(_ response: APIResponse, _ call: Call) -> APIResponse {
        if let audit = call.audit, let auditLog {
            auditLog.record(audit.finished(response: response))
        }
        return response
    }

    /// Runs the handler and encodes its answer. Never throws: `KVError`s become wire errors,
    /// anything else becomes a logged 500 InternalServerError.
    public func run(_ call: Call, requestID: String) async -> APIResponse {
        if let rest = call.rest { return audited(await rest(), call) }
        if let fault = call.fault {
            var ran = false
            let response = await FaultEffect.apply(fault, to: call) {
                ran = true
                return await self.runHandler(call, requestID: requestID)
            }
            // An injected error or a drop before the request ran is audited here; a request that
            // ran was audited by `runHandler`.
            return ran ? response : audited(response, call)
        }
        return await runHandler(call, requestID: requestID)
    }

    private func runHandler(_ call: Call, requestID: String) async -> APIResponse {
        do {
            return audited(encode(try await call.handler(call.input, call.context), call), call)
        } catch {
            return audited(encode(error, call, requestID: requestID), call)
        }
    }

    /// The call's inline handler, if it has one and it answers; otherwise nil and `run` is next.
    public func runInline(_ call: Call, requestID: String) -> APIResponse? {
        guard let inline = call.inlineHandler, call.fault == nil else { return nil }
        do {
            return try inline(call.input, call.context).map { audited(encode($0, call), call) }
        } catch {
            return audited(encode(error, call, requestID: requestID), call)
        }
    }

    private func encode(_ output: JSONValue, _ call: Call) -> APIResponse {
        // An answer written whole already (`StoredItemWire.itemObject`) is the body: no copy.
        if case .raw(let bytes) = output {
            return APIResponse(status: 200, contentType: call.contentType, body: bytes)
        }
        var body: [UInt8] = []
        body.reserveCapacity(512 + output.rawByteCount)
        JSONWriter.write(output, into: &body)
        return APIResponse(status: 200, contentType: call.contentType, body: body)
    }

    private func encode(_ error: any Error, _ call: Call, requestID: String) -> APIResponse {
        switch error {
        case let error as KVError:
            if error.code == .internalServerError {
                // The engine's own text; never request data.
                logger.error(
                    "request.internal_error",
                    metadata: [
                        "request.id": "\(requestID)", "kv.target": "\(call.target)",
                        "error.message": "\(error.message)",
                    ])
            }
            return APIResponse(error: WireError(error), contentType: call.contentType)
        case let error as WireError:
            return APIResponse(error: error, contentType: call.contentType)
        default:
            // The description of an arbitrary error may hold request data: log its type only.
            logger.error(
                "request.unexpected_error",
                metadata: [
                    "request.id": "\(requestID)", "kv.target": "\(call.target)",
                    "error.type": "\(String(reflecting: type(of: error)))",
                ])
            return APIResponse(error: .internalServerError(), contentType: call.contentType)
        }
    }

    /// `decide` then `run`: the whole request in one call (used by in-process tests).
    public func process(head: HTTPRequestHead, body: ByteBuffer, localAddress: String, requestID: String) async
        -> APIResponse
    {
        switch decide(head: head, body: body, localAddress: localAddress) {
        case .respond(let response): return response
        case .call(let call):
            if let response = runInline(call, requestID: requestID) { return response }
            return await run(call, requestID: requestID)
        }
    }

    static let notFound = APIResponse(status: 404, contentType: amzJSON10, body: notFoundBody)

    struct DecodeFailure: Error {
        var response: APIResponse
    }

    /// A request body sent with `Content-Encoding: gzip` or `deflate` (as SDKs configured for
    /// request compression send it), decompressed. An unknown coding or data that does not
    /// decompress answers SerializationException like any unreadable body; a body inflating past
    /// the request limit answers 413 like an oversized one.
    static func decode(_ body: ByteBuffer, encoding: String, limit: Int) -> Result<ByteBuffer, DecodeFailure> {
        let malformed = DecodeFailure(response: APIResponse(error: .malformedBody, contentType: amzJSON10))
        let coding: ContentCoding?
        do {
            coding = try ContentCoding.ofRequest(encoding)
        } catch {
            return .failure(malformed)
        }
        guard let coding, body.readableBytes > 0 else { return .success(body) }
        do {
            let bytes = try body.withUnsafeReadableBytes { raw throws(Zlib.Failure) in
                try Zlib.decompress(raw, as: coding, limit: limit)
            }
            return .success(ByteBuffer(bytes: bytes))
        } catch {
            guard error.tooLarge else { return .failure(malformed) }
            return .failure(DecodeFailure(response: APIResponse(status: 413, contentType: amzJSON10, body: [])))
        }
    }

    /// The media type of a `Content-Type` value, lowercased, without parameters or spaces.
    static func mediaType(of contentType: String?) -> String {
        guard let contentType else { return "" }
        // The SDKs send exactly this; skip the general parse for it.
        if contentType == amzJSON10 { return amzJSON10 }
        let base = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(base.trimmingASCIIWhitespace()).lowercased()
    }
}
