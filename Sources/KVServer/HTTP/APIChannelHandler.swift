import KVStore
import Logging
import NIOCore
import NIOHTTP1

/// Aggregates one HTTP request, hands it to `APIRequestProcessor`, and writes the answer.
///
/// It also does what NIO's `HTTPServerPipelineHandler` would: requests pipelined behind one in
/// flight wait in `backlog` and are taken in order once it is answered; an HTTP parse error
/// behind it is answered after it; `ChannelShouldQuiesceEvent` closes the connection once the
/// request in flight is answered. NIO's handler does this by withholding `read()` while a
/// request is in flight, which costs two `epoll_ctl` calls per request even when nothing is
/// pipelined (nearly always); here reading stops only when the backlog grows large.
///
/// Bodies are capped at `maxBodySize` (DynamoDB: 16 MiB). A larger `Content-Length`, or a body
/// growing past the cap, is answered at once like DynamoDB does: 413 with an empty body; then
/// the output is closed and the rest of the request is read and dropped until the client
/// closes (or `rejectedConnectionLinger` passes).
final class APIChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    /// Whole responses as bytes (see `ResponseBytes`); the pipeline has no HTTP encoder.
    typealias OutboundOut = ByteBuffer

    private enum Phase {
        case idle
        case receiving
        case processing
        /// Dropping the rest of a request that has been answered with 413.
        case rejected
        /// The last response had `Connection: close`; ignore anything pipelined after it.
        case closing
    }

    private let processor: APIRequestProcessor
    /// Metrics and access log; nil when both are off.
    private let observer: RequestObserver?
    private let limits: ServerLimits
    /// Requests being handled over all connections (`ServerLimits.maxRequestsInFlight`).
    private let inFlight: AdmissionCounter?
    /// A response is waiting in the channel's buffer (the client reads slowly): pipelined requests
    /// wait until it has gone out, so unread answers never pile up in memory.
    private var waitingForWritable = false
    /// This connection's event loop's batcher; nil flushes each response at once.
    private let flushBatcher: FlushBatcher?
    /// Handler tasks run on this connection's event loop (see `EventLoopTaskExecutor`).
    private var taskExecutor: EventLoopTaskExecutor?
    private let serverName: String
    private let maxBodySize: Int
    private let rejectedConnectionLinger: TimeAmount
    private var phase = Phase.idle
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var expectedLength: Int?
    private var localAddress = ""
    private var connection: ConnectionInfo
    private var date = HTTPDate()
    /// Parts that arrived while a request was in flight, in arrival order.
    private var backlog = CircularBuffer<HTTPServerRequestPart>()
    /// Reading is paused while `backlog` is over `backlogLimit` parts.
    private var readingPaused = false
    private var draining = false
    /// An HTTP parse error came in behind the request in flight: answer 400 after it.
    private var parseErrorPending = false
    /// Graceful shutdown asked for: close once the request in flight is answered.
    private var quiescing = false
    /// Responses up to this size are sent uncompressed whatever the client accepts: DynamoDB
    /// compresses only larger ones (aws-amplify/aws-sdk-ios#201: "When the service returns
    /// small data, it does not GZip the content").
    static let compressionThreshold = 4096

    init(
        processor: APIRequestProcessor, serverName: String, maxBodySize: Int, rejectedConnectionLinger: TimeAmount,
        isSecure: Bool = false, flushBatcher: FlushBatcher? = nil, limits: ServerLimits = ServerLimits(),
        inFlight: AdmissionCounter? = nil, observer: RequestObserver? = nil
    ) {
        self.observer = observer
        self.connection = ConnectionInfo(isSecure: isSecure)
        self.processor = processor
        self.limits = limits
        self.inFlight = inFlight
        self.flushBatcher = flushBatcher
        self.serverName = serverName
        self.maxBodySize = maxBodySize
        self.rejectedConnectionLinger = rejectedConnectionLinger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if let address = context.channel.localAddress {
            localAddress = Self.hostPort(address)
        }
        connection.remoteIP = context.channel.remoteAddress?.ipAddress
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if phase == .processing || !backlog.isEmpty {
            backlog.append(part)
            if backlog.count > limits.maxPipelinedParts && !readingPaused {
                readingPaused = true
                try? context.channel.syncOptions?.setOption(.autoRead, value: false)
            }
            return
        }
        receive(part, context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ClientTimeoutHandler.SlowRequestEvent {
            // Only a request still arriving is the client's delay; one being handled is ours.
            if phase == .receiving || phase == .idle {
                answerAndClose(status: .requestTimeout, context: context)
            }
            return
        }
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        quiescing = true
        if phase == .idle {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        switch phase {
        case .rejected, .closing:
            break  // already answered; the connection is on its way out
        case .processing:
            parseErrorPending = true
        case .idle, .receiving:
            if backlog.isEmpty { answerBadRequest(context: context) } else { parseErrorPending = true }
        }
    }

    /// NIO's decoder stops at a parse error: answer 400 like `HTTPServerProtocolErrorHandler`, then close.
    private func answerBadRequest(context: ChannelHandlerContext) {
        answerAndClose(status: .badRequest, context: context)
    }

    /// An empty answer with `Connection: close` (400 for a request we cannot or will not parse,
    /// 408 for one that took too long to arrive), then the connection closes.
    private func answerAndClose(status: HTTPResponseStatus, context: ChannelHandlerContext) {
        phase = .closing
        head = nil
        body = nil
        var response = ResponseBytes(
            allocator: context.channel.allocator, version: .http1_1, status: status, bodyCapacity: 0)
        response.header("Date", date.now())
        response.header("Connection", "close")
        response.header("Content-Length", 0)
        context.writeAndFlush(wrapOutboundOut(response.finish(body: nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// Takes the parts that waited behind the request just answered, up to the next one in flight.
    private func drainBacklog(context: ChannelHandlerContext) {
        guard !draining, !waitingForWritable else { return }  // re-entered through an immediate answer
        draining = true
        defer { draining = false }
        while phase != .processing, !waitingForWritable, let part = backlog.popFirst() {
            receive(part, context: context)
        }
        guard backlog.isEmpty, phase != .processing, !waitingForWritable else { return }
        if parseErrorPending && phase != .closing {
            parseErrorPending = false
            answerBadRequest(context: context)
            return
        }
        if readingPaused {
            readingPaused = false
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            receiveHead(head, context: context)
        case .body(var chunk):
            guard phase == .receiving else { return }
            if body == nil {
                if let expectedLength, expectedLength > chunk.readableBytes {
                    var buffer = context.channel.allocator.buffer(capacity: expectedLength)
                    buffer.writeBuffer(&chunk)
                    body = buffer
                } else {
                    body = chunk
                }
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > maxBodySize {
                reject(context: context)
            }
        case .end:
            switch phase {
            case .receiving:
                handleRequest(context: context)
            case .rejected, .idle, .processing, .closing:
                break
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if waitingForWritable && context.channel.isWritable {
            waitingForWritable = false
            drainBacklog(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    /// Request line and headers within `ServerLimits.maxHeaderBytes` and `maxHeaderCount`.
    private func headWithinLimits(_ head: HTTPRequestHead) -> Bool {
        guard head.headers.count <= limits.maxHeaderCount else { return false }
        // "METHOD URI HTTP/1.1\r\n", then "Name: value\r\n" per field.
        var bytes = head.method.rawValue.utf8.count + head.uri.utf8.count + 12
        for (name, value) in head.headers {
            bytes += name.utf8.count + value.utf8.count + 4
            if bytes > limits.maxHeaderBytes { return false }
        }
        return bytes <= limits.maxHeaderBytes
    }

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard phase == .idle else { return }  // parts behind a request in flight wait in `backlog`
        guard headWithinLimits(head) else {
            answerBadRequest(context: context)
            return
        }
        self.head = head
        self.body = nil
        self.expectedLength = nil
        if let declared = head.headers.first(name: "content-length") {
            guard let length = Int(declared), length >= 0 else {
                // The HTTP decoder rejects malformed lengths before us; be safe anyway.
                reject(context: context)
                return
            }
            if length > maxBodySize {
                reject(context: context)
                return
            }
            expectedLength = length
        }
        phase = .receiving
        if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
            var interim = ResponseBytes(
                allocator: context.channel.allocator, version: head.version, status: .continue, bodyCapacity: 0)
            context.writeAndFlush(wrapOutboundOut(interim.finish(body: nil)), promise: nil)
        }
    }

    private func handleRequest(context: ChannelHandlerContext) {
        guard let head else { return }
        let body = self.body ?? ByteBuffer()
        self.head = nil
        self.body = nil
        context.triggerUserOutboundEvent(ClientTimeoutHandler.RequestReceivedEvent(), promise: nil)
        let requestID = RequestID.make()
        var decision = processor.decide(
            head: head, body: body, localAddress: localAddress, connection: connection, requestID: requestID)
        let observed = observer?.started(
            &decision, target: head.headers.first(name: "x-amz-target"), router: processor.router,
            requestBytes: body.readableBytes)
        switch decision {
        case .respond(let response):
            phase = .idle
            write(response, for: head, requestID: requestID, context: context, observed: observed)
        case .call(let call):
            if let response = processor.runInline(call, requestID: requestID) {
                phase = .idle
                write(response, for: head, requestID: requestID, context: context, observed: observed)
                return
            }
            if let inFlight, !inFlight.tryEnter() {
                phase = .idle
                let busy = KVError(
                    .serviceUnavailable,
                    "Too many requests in flight: the server is handling its limit of \(inFlight.limit) requests; retry later")
                write(
                    APIResponse(error: WireError(busy), contentType: call.contentType), for: head, requestID: requestID,
                    context: context, observed: observed)
                return
            }
            phase = .processing
            let processor = self.processor
            let inFlight = self.inFlight
            let promise = context.eventLoop.makePromise(of: APIResponse.self)
            let executor = taskExecutor ?? EventLoopTaskExecutor(context.eventLoop)
            taskExecutor = executor
            Task(executorPreference: executor) {
                let response = await processor.run(call, requestID: requestID)
                inFlight?.leave()
                promise.succeed(response)
            }
            promise.futureResult.assumeIsolated().whenSuccess { response in
                self.phase = .idle
                self.write(response, for: head, requestID: requestID, context: context, observed: observed)
            }
        }
    }

    private func reject(context: ChannelHandlerContext) {
        let version = head?.version ?? .http1_1
        head = nil
        body = nil
        phase = .rejected
        var response = ResponseBytes(
            allocator: context.channel.allocator, version: version, status: .payloadTooLarge, bodyCapacity: 0)
        writeCommonHeaders(
            into: &response, requestID: RequestID.make(), crc32: 0, contentType: APIRequestProcessor.amzJSON10,
            contentLength: 0)
        response.header("Connection", "close")
        let channel = context.channel
        let linger = rejectedConnectionLinger
        context.writeAndFlush(wrapOutboundOut(response.finish(body: nil))).assumeIsolated().whenComplete { _ in
            // Half-close so the client reads the 413; keep draining its upload until it closes.
            context.close(mode: .output).assumeIsolated().whenFailure { _ in
                context.close(promise: nil)
            }
            channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
        }
    }

    private func write(
        _ response: APIResponse,
        for request: HTTPRequestHead,
        requestID: String,
        context: ChannelHandlerContext,
        observed: RequestObserver.Request? = nil
    ) {
        if let observed, let observer {
            observer.finished(observed, response: response, requestID: requestID)
        }
        if response.dropsConnection {
            // An injected `drop` fault (see `FaultEffect`): close without answering.
            context.close(promise: nil)
            return
        }
        var body = response.body
        var crc32 = response.crc32
        var coding: ContentCoding?
        // Only a large body looks at the request's Accept-Encoding: the usual small answer
        // pays one comparison, and a request without the header (no coding wanted) a search
        // for its name (reading the lines was about 11,600 instructions per large answer).
        // The CRC covers the bytes as sent, compressed (as DynamoDB's does:
        // smithy-lang/smithy-kotlin#158, "The CRC is computed on the response after the
        // response is gziped").
        if body.count > Self.compressionThreshold, request.method != .HEAD,
            request.headers.contains(name: "accept-encoding"),
            let preferred = AcceptEncoding.preferredCoding(request.headers[canonicalForm: "accept-encoding"].map(String.init)),
            let compressed = Zlib.compress(body, as: preferred)
        {
            body = compressed
            crc32 = CRC32.checksum(compressed)
            coding = preferred
        }
        var bytes = ResponseBytes(
            allocator: context.channel.allocator, version: request.version,
            status: HTTPResponseStatus(statusCode: response.status), bodyCapacity: body.count)
        writeCommonHeaders(
            into: &bytes, requestID: requestID, crc32: crc32, contentType: response.contentType,
            contentLength: body.count)
        if let coding {
            bytes.header(name: "Content-Encoding", value: coding.rawValue)
        }
        if request.headers.contains(name: "origin") {
            // What DynamoDB answers a browser, preflight or not (recorded by ScyllaDB Alternator,
            // alternator/server.cc handle_CORS: "the list that DynamoDB returns for expose headers").
            bytes.header("Access-Control-Allow-Origin", "*")
            bytes.header("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")
        }
        for (name, value) in response.extraHeaders {
            bytes.header(name: name, value: value)
        }
        let keepAlive = request.isKeepAlive && !quiescing
        if !keepAlive {
            phase = .closing
            bytes.header("Connection", "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            bytes.header("Connection", "keep-alive")
        }
        // A response to HEAD announces its length but carries no body.
        let buffer = bytes.finish(body: request.method == .HEAD ? nil : body)
        context.triggerUserOutboundEvent(ClientTimeoutHandler.ResponseSentEvent(), promise: nil)
        if keepAlive {
            if let flushBatcher {
                context.write(wrapOutboundOut(buffer), promise: nil)
                flushBatcher.flushSoon(context)
            } else {
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            }
            if !context.channel.isWritable {
                waitingForWritable = true
            }
            drainBacklog(context: context)
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    private func writeCommonHeaders(
        into response: inout ResponseBytes, requestID: String, crc32: UInt32, contentType: String?, contentLength: Int
    ) {
        response.header("Server", serverName)
        response.header("Date", date.now())
        response.header("x-amzn-RequestId", requestID)
        response.header("x-amz-crc32", crc32)
        if let contentType {
            response.header("Content-Type", contentType)
        }
        response.header("Content-Length", contentLength)
    }

    /// `host:port` of a socket address, with IPv6 hosts in brackets.
    static func hostPort(_ address: SocketAddress) -> String {
        let host = address.ipAddress ?? "localhost"
        let port = address.port ?? 0
        if case .v6 = address { return "[\(host)]:\(port)" }
        return "\(host):\(port)"
    }
}
