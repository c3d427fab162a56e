public import Logging
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
public import ServiceLifecycle

/// How the HTTP front end listens.
public struct KVHTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; the bound one is reported once listening.
    public var port: Int
    /// DynamoDB's request size limit.
    public var maxRequestBodySize: Int
    /// The `Server` response header.
    public var serverName: String
    public var backlog: Int32
    /// How long a connection whose request was refused with 413 may keep uploading
    /// (into the void) before it is closed.
    public var rejectedConnectionLinger: TimeAmount
    /// Connections, requests in flight, header sizes, timeouts.
    public var limits: ServerLimits

    public static let defaultMaxRequestBodySize = 16 * 1024 * 1024

    public init(
        host: String = "127.0.0.1",
        port: Int = 8000,
        maxRequestBodySize: Int = KVHTTPServerConfiguration.defaultMaxRequestBodySize,
        serverName: String = "kvserver",
        backlog: Int32 = 256,
        rejectedConnectionLinger: TimeAmount = .seconds(5),
        limits: ServerLimits = ServerLimits()
    ) {
        self.limits = limits
        self.host = host
        self.port = port
        self.maxRequestBodySize = maxRequestBodySize
        self.serverName = serverName
        self.backlog = backlog
        self.rejectedConnectionLinger = rejectedConnectionLinger
    }
}

/// The DynamoDB-compatible HTTP/1.1 server on SwiftNIO, as a swift-service-lifecycle `Service`.
///
/// `run()` binds, reports the bound address through `onListening`, serves until graceful
/// shutdown (or cancellation), then stops accepting, lets in-flight requests finish, closes
/// every connection and returns. Closing the engine is the owner's job, after `run()` returns.
public final class KVHTTPServer: Service, Sendable {
    public let configuration: KVHTTPServerConfiguration
    private let processor: APIRequestProcessor
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let onListening: @Sendable (SocketAddress) -> Void
    private let tls: TLSContextStore?
    private let observer: RequestObserver?
    private let gauges: ServerGauges?

    /// - Parameters:
    ///   - eventLoopGroup: defaults to NIO's shared `MultiThreadedEventLoopGroup.singleton`.
    ///   - authorizer: decides what verified identities may do (`authenticator` returning them).
    ///   - tls: serve HTTPS with this certificate instead of HTTP.
    public init(
        configuration: KVHTTPServerConfiguration,
        router: Router,
        authenticator: any Authenticator = AcceptAnyCredentialsAuthenticator(),
        authorizer: (any RequestAuthorizer)? = nil,
        auditLog: AuditLog? = nil,
        tls: TLSContextStore? = nil,
        faults: FaultInjector? = nil,
        observer: RequestObserver? = nil,
        gauges: ServerGauges? = nil,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger,
        health: @escaping @Sendable () -> HealthStatus = { HealthStatus() },
        onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }
    ) {
        self.configuration = configuration
        var processor = APIRequestProcessor(
            router: router, authenticator: authenticator, authorizer: authorizer, auditLog: auditLog, logger: logger)
        processor.health = health
        processor.faults = faults
        self.processor = processor
        self.tls = tls
        self.observer = observer
        self.gauges = gauges
        self.eventLoopGroup = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let running = try await start()
        onListening(running.localAddress)
        await withTaskCancellationOrGracefulShutdownHandler {
            await running.waitUntilClosed()
        } onCancelOrGracefulShutdown: {
            running.initiateShutdown()
        }
        logger.info("server.stopped")
    }

    /// Binds and starts serving; for callers (tests) that drive the lifecycle themselves.
    public func start() async throws -> RunningKVHTTPServer {
        let configuration = self.configuration
        let processor = self.processor
        let tls = self.tls
        let serverLoop = eventLoopGroup.next()
        let tracker = try await serverLoop.submit { NIOLoopBound(ConnectionTracker(eventLoop: serverLoop), eventLoop: serverLoop) }.get()
        var batchers: [ObjectIdentifier: NIOLoopBound<FlushBatcher>] = [:]
        for loop in eventLoopGroup.makeIterator() {
            batchers[ObjectIdentifier(loop)] = try await loop.submit {
                NIOLoopBound(FlushBatcher(eventLoop: loop), eventLoop: loop)
            }.get()
        }
        let flushBatchers = batchers
        let connections = AdmissionCounter(limit: configuration.limits.maxConnections)
        let inFlight = AdmissionCounter(limit: configuration.limits.maxRequestsInFlight)
        let observer = self.observer
        gauges?.attach(connections: { connections.current }, inFlight: { inFlight.current })
        let channel = try await ServerBootstrap(group: serverLoop, childGroup: eventLoopGroup)
            .serverChannelOption(.backlog, value: configuration.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(tracker.value)
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    guard connections.tryEnter() else {
                        try sync.addHandler(RefusedConnectionHandler())
                        return
                    }
                    channel.closeFuture.whenComplete { _ in connections.leave() }
                    try sync.addHandler(
                        ClientTimeoutHandler(
                            idleTimeout: configuration.limits.idleTimeout,
                            requestTimeout: configuration.limits.requestTimeout))
                    if let tls {
                        try sync.addHandler(NIOSSLServerHandler(context: tls.context))
                    }
                    // Only NIO's request decoder: APIChannelHandler orders pipelined requests,
                    // answers parse errors and writes whole responses as bytes itself.
                    try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try sync.addHandler(
                        APIChannelHandler(
                            processor: processor,
                            serverName: configuration.serverName,
                            maxBodySize: configuration.maxRequestBodySize,
                            rejectedConnectionLinger: configuration.rejectedConnectionLinger,
                            isSecure: tls != nil,
                            flushBatcher: flushBatchers[ObjectIdentifier(channel.eventLoop)]?.value,
                            limits: configuration.limits, inFlight: inFlight, observer: observer))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        guard let address = channel.localAddress else {
            channel.close(promise: nil)
            throw KVHTTPServerError.noLocalAddress
        }
        let allClosed = try await serverLoop.submit { tracker.value.allClosedFuture }.get()
        logger.info("server.listening", metadata: ["server.address": "\(APIChannelHandler.hostPort(address))"])
        return RunningKVHTTPServer(
            channel: channel, localAddress: address, tracker: tracker, allClosed: allClosed, isSecure: tls != nil)
    }
}

public enum KVHTTPServerError: Error {
    case noLocalAddress
}

/// A bound, serving server.
public final class RunningKVHTTPServer: Sendable {
    public let localAddress: SocketAddress
    private let channel: any Channel
    private let tracker: NIOLoopBound<ConnectionTracker>
    private let allClosed: EventLoopFuture<Void>
    /// Serving HTTPS.
    public let isSecure: Bool

    init(
        channel: any Channel,
        localAddress: SocketAddress,
        tracker: NIOLoopBound<ConnectionTracker>,
        allClosed: EventLoopFuture<Void>,
        isSecure: Bool = false
    ) {
        self.isSecure = isSecure
        self.channel = channel
        self.localAddress = localAddress
        self.tracker = tracker
        self.allClosed = allClosed
    }

    /// The bound port (the real one when configured with port 0).
    public var port: Int { localAddress.port ?? 0 }

    /// `http://host:port` (`https://` with TLS).
    public var baseURL: String { "\(isSecure ? "https" : "http")://\(APIChannelHandler.hostPort(localAddress))" }

    /// Stops accepting; every connection closes after its in-flight request. Returns at once.
    public func initiateShutdown() {
        let tracker = self.tracker
        let channel = self.channel
        tracker.eventLoop.execute {
            tracker.value.initiateShutdown(serverChannel: channel)
        }
    }

    /// Returns once the listener and every connection have closed.
    public func waitUntilClosed() async {
        try? await allClosed.get()
    }

    /// `initiateShutdown()`, then `waitUntilClosed()`.
    public func shutdown() async {
        initiateShutdown()
        await waitUntilClosed()
    }
}

/// A plain name: swift-service-lifecycle names each service with `"\(service)"`, which for a
/// type without a description walks it by reflection (a measurable part of the start-up).
extension KVHTTPServer: CustomStringConvertible {
    public var description: String { "KVHTTPServer" }
}
