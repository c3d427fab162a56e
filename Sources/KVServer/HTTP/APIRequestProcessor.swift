import KVStore
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
/// 1. `GET` answers the health text; `OPTIONS` with `Origin` answers a CORS preflight; any other
///    method but `POST`, or a body with a content type other than `application/json` /
///    `application/x-amz-json-1.0`, answers 404 `<UnknownOperationException/>`.
/// 2. A body that is not JSON -> SerializationException without message.
/// 3. Missing or unknown target -> UnknownOperationException without message.
/// 4. Authentication (see `Authenticator`).
/// 5. An empty body -> SerializationException without message.
/// 6. The handler.
///
/// We also accept `application/x-amz-json-1.1` (DynamoDB itself answers it with 404).
public struct APIRequestProcessor: Sendable {
    public static let amzJSON10 = "application/x-amz-json-1.0"
    public static let amzJSON11 = "application/x-amz-json-1.1"
    public static let plainJSON = "application/json"
    static let notFoundBody: [UInt8] = Array("<UnknownOperationException/>\n".utf8)

    public var router: Router
    public var authenticator: any Authenticator
    public var logger: Logger

    public init(router: Router, authenticator: any Authenticator, logger: Logger) {
        self.router = router
        self.authenticator = authenticator
        self.logger = logger
    }

    /// A request whose handler is to be run.
    public struct Call: Sendable {
        public var target: String
        public var handler: OperationHandler
        public var inlineHandler: InlineOperationHandler?
        public var input: JSONValue
        public var contentType: String
        public var context: RequestContext
        /// Set for a REST request (see `RESTRoute`): it answers the whole response itself.
        public var rest: (@Sendable () async -> APIResponse)? = nil
    }

    public enum Decision: Sendable {
        /// Answer without calling a handler.
        case respond(APIResponse)
        /// Run `Call` (asynchronously) and answer with its result.
        case call(Call)
    }

    /// Everything up to the handler call; cheap and synchronous, so it runs on the event loop.
    ///
    /// - Parameter localAddress: `host:port` the request arrived on, for the health answer.
    public func decide(head: HTTPRequestHead, body: ByteBuffer, localAddress: String) -> Decision {
        // DynamoDB's own requests are `POST /`; only other paths look for a REST route.
        if head.uri.utf8.count > 1, !router.restRoutes.isEmpty, let decision = decideREST(head: head, body: body) {
            return decision
        }
        switch head.method {
        case .GET:
            // DynamoDB answers "healthy: dynamodb.<region>.amazonaws.com " (trailing space).
            return .respond(
                APIResponse(status: 200, contentType: Self.amzJSON10, body: Array("healthy: \(localAddress) ".utf8)))
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

        let mediaType = Self.mediaType(of: head.headers.first(name: "content-type"))
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

        let targetHeader = head.headers.first(name: "x-amz-target")
        let route = targetHeader.flatMap(router.route(forTarget:))
        var input: JSONValue?
        // An operation may read its body straight from the bytes (see `BodyDecoder`); a body
        // it accepts is valid JSON, so the checks below still run in the same order.
        let decodedHandler = body.readableBytes == 0 ? nil : route?.bodyDecoder
            .flatMap { decode in body.withUnsafeReadableBytes(decode) }
        if decodedHandler != nil {
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

        guard let target = targetHeader, let handler = decodedHandler ?? route?.handler else {
            return .respond(APIResponse(error: .unknownOperation, contentType: responseContentType))
        }

        do {
            try authenticator.authenticate(
                AuthenticationRequest(method: head.method, uri: head.uri, headers: head.headers, body: body))
        } catch {
            return .respond(APIResponse(error: error, contentType: responseContentType))
        }

        guard let input else {
            return .respond(APIResponse(error: .malformedBody, contentType: responseContentType))
        }
        var context = RequestContext(authorization: head.headers.first(name: "authorization"))
        context.host = head.headers.first(name: "host")
        return .call(
            Call(
                target: target, handler: handler, inlineHandler: route?.inlineHandler, input: input,
                contentType: responseContentType, context: context))
    }

    /// Runs the handler and encodes its answer. Never throws: `KVError`s become wire errors,
    /// anything else becomes a logged 500 InternalServerError.
    public func run(_ call: Call, requestID: String) async -> APIResponse {
        if let rest = call.rest { return await rest() }
        do {
            return encode(try await call.handler(call.input, call.context), call)
        } catch {
            return encode(error, call, requestID: requestID)
        }
    }

    /// The call's inline handler, if it has one and it answers; otherwise nil and `run` is next.
    public func runInline(_ call: Call, requestID: String) -> APIResponse? {
        guard let inline = call.inlineHandler else { return nil }
        do {
            return try inline(call.input, call.context).map { encode($0, call) }
        } catch {
            return encode(error, call, requestID: requestID)
        }
    }

    private func encode(_ output: JSONValue, _ call: Call) -> APIResponse {
        var body: [UInt8] = []
        body.reserveCapacity(512)
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

    /// A request to one of the router's REST paths: authenticated like every request, then
    /// handed to its route with the body as bytes.
    func decideREST(head: HTTPRequestHead, body: ByteBuffer) -> Decision? {
        guard let route = router.restRoutes.first(where: { head.uri.hasPrefix($0.prefix) }) else { return nil }
        do {
            try authenticator.authenticate(
                AuthenticationRequest(method: head.method, uri: head.uri, headers: head.headers, body: body))
        } catch {
            return .respond(APIResponse(error: error, contentType: Self.plainJSON))
        }
        var context = RequestContext(authorization: head.headers.first(name: "authorization"))
        context.host = head.headers.first(name: "host")
        let (path, query) = RESTRoute.split(head.uri)
        let request = RESTRequest(
            method: head.method, path: path, query: query, body: Array(body.readableBytesView), context: context)
        let handler = route.handler
        return .call(
            Call(
                target: "REST " + path, handler: { _, _ in .null }, inlineHandler: nil, input: .null,
                contentType: Self.plainJSON, context: context, rest: { await handler(request) }))
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

    /// The media type of a `Content-Type` value, lowercased, without parameters or spaces.
    static func mediaType(of contentType: String?) -> String {
        guard let contentType else { return "" }
        // The SDKs send exactly this; skip the general parse for it.
        if contentType == amzJSON10 { return amzJSON10 }
        let base = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(base.trimmingASCIIWhitespace()).lowercased()
    }
}
