import NIOCore

/// Closes connections that sit idle too long and gives up on requests that arrive too slowly.
///
/// Sits before the HTTP decoder, so it sees raw bytes: a request's clock starts at its first byte
/// (a slowloris client trickling header bytes is caught too, which a handler after the decoder
/// would not see until the headers end) and stops when `APIChannelHandler` has the whole request
/// (`RequestReceivedEvent`). Time spent handling a request does not count. Checks run a few
/// times per timeout, so a timeout fires within a quarter of its length after it passed.
///
/// - Idle (no request in progress or being answered, nothing received for `idleTimeout`): the
///   connection closes.
/// - Slow (a request started more than `requestTimeout` ago and is still incomplete): a
///   `SlowRequestEvent` goes up the pipeline, and `APIChannelHandler` answers 408 and closes.
final class ClientTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Fired outbound by `APIChannelHandler` when a request is complete (its handling begins).
    struct RequestReceivedEvent {}
    /// Fired outbound by `APIChannelHandler` when it has written a request's answer.
    struct ResponseSentEvent {}
    /// Fired inbound when a request has taken longer than `requestTimeout` to arrive.
    struct SlowRequestEvent {}

    private let idleTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private var requestStarted: NIODeadline?
    private var lastActivity = NIODeadline.now()
    private var requestsBeingAnswered = 0
    private var check: RepeatedTask?
    private var slowReported = false

    init(idleTimeout: TimeAmount, requestTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { schedule(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        lastActivity = .now()
        schedule(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now()
        lastActivity = now
        if requestStarted == nil { requestStarted = now }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        switch event {
        case is RequestReceivedEvent:
            requestStarted = nil
            slowReported = false
            requestsBeingAnswered += 1
            promise?.succeed()
        case is ResponseSentEvent:
            requestsBeingAnswered = max(0, requestsBeingAnswered - 1)
            lastActivity = .now()
            promise?.succeed()
        default:
            context.triggerUserOutboundEvent(event, promise: promise)
        }
    }

    private func schedule(_ context: ChannelHandlerContext) {
        guard check == nil else { return }
        let shortest = min(idleTimeout.nanoseconds, requestTimeout.nanoseconds)
        let period = TimeAmount.nanoseconds(max(shortest / 4, 50_000_000))
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            let (handler, context) = loopBound.value
            handler.tick(context)
        }
    }

    private func tick(_ context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        if let started = requestStarted {
            // A request waiting behind one being answered is not the client's delay.
            if now - started > requestTimeout, !slowReported, requestsBeingAnswered == 0 {
                slowReported = true
                context.fireUserInboundEventTriggered(SlowRequestEvent())
            }
        } else if requestsBeingAnswered == 0, now - lastActivity > idleTimeout {
            context.close(promise: nil)
        }
    }
}
