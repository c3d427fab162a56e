import NIOCore

/// Sits in the server channel's pipeline, sees every accepted connection, and on request
/// asks them all to finish: stop accepting, let each connection complete the request in
/// flight (`ChannelShouldQuiesceEvent`, which `APIChannelHandler` turns into
/// "close after the current response"), and report when the last one has closed.
///
/// All state lives on the server channel's event loop.
final class ConnectionTracker: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let eventLoop: any EventLoop
    private var connections: [ObjectIdentifier: any Channel] = [:]
    private var quiescing = false
    private var serverClosed = false
    private var completed = false
    private let allClosed: EventLoopPromise<Void>

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.allClosed = eventLoop.makePromise()
    }

    /// Completes once shutdown was asked for and the server and every connection have closed.
    var allClosedFuture: EventLoopFuture<Void> { allClosed.futureResult }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        let id = ObjectIdentifier(connection)
        connections[id] = connection
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        connection.closeFuture.hop(to: eventLoop).whenComplete { _ in
            bound.value.connectionClosed(id)
        }
        if quiescing {
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        context.fireChannelRead(data)
    }

    /// Stops accepting and asks every connection to close once idle. Call on the event loop.
    func initiateShutdown(serverChannel: any Channel) {
        eventLoop.preconditionInEventLoop()
        quiesceAll()
        serverChannel.close(promise: nil)
    }

    /// The server channel has closed (asked to, or not): nothing new arrives, wind down the rest.
    func handlerRemoved(context: ChannelHandlerContext) {
        serverClosed = true
        quiesceAll()
        completeIfDone()
    }

    private func quiesceAll() {
        guard !quiescing else { return }
        quiescing = true
        for connection in connections.values {
            connection.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    private func connectionClosed(_ id: ObjectIdentifier) {
        connections.removeValue(forKey: id)
        completeIfDone()
    }

    private func completeIfDone() {
        if quiescing && serverClosed && connections.isEmpty && !completed {
            completed = true
            allClosed.succeed()
        }
    }
}
