public import Logging
public import PostgresNIO
import NIOSSL

/// The connection pool of one kvserver process: postgres-nio's `PostgresClient`, configured from
/// `PostgresSettings`. Statements go through it as `PostgresPreparedStatement`s, which each
/// pooled connection prepares once, on first use.
///
/// The client does its background work (connecting, keep-alive) only while `run()` runs: kvserver
/// hands the pool to its service group; tests and tools use `withRunning`.
public final class PostgresPool: Sendable {
    public let client: PostgresClient
    public let settings: PostgresSettings
    let logger: Logger
    /// The loops of the client's connections (postgres-nio's default group).
    private let eventLoopGroup: any EventLoopGroup

    /// An event loop of the pool's group, for tasks that wait on the pool (`HeldConnection`).
    var eventLoop: any EventLoop { eventLoopGroup.next() }

    public init(settings: PostgresSettings, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user,
            password: settings.password, database: settings.database,
            tls: Self.tls(settings.tls))
        configuration.options.maximumConnections = settings.poolSize
        // One name per process in pg_stat_activity, so that an operator sees who holds what.
        configuration.options.additionalStartupParameters = [("application_name", "kvserver")]
        let group = PostgresClient.defaultEventLoopGroup
        self.client = PostgresClient(configuration: configuration, eventLoopGroup: group, backgroundLogger: logger)
        self.eventLoopGroup = group
        self.settings = settings
        self.logger = logger
    }

    /// Runs the pool's background work until the task is cancelled (a swift-service-lifecycle
    /// service body).
    public func run() async {
        await client.run()
    }

    /// A running pool for the duration of `body`, shut down afterwards (connections closed).
    @discardableResult
    public static func withRunning<Result: Sendable>(
        settings: PostgresSettings,
        logger: Logger,
        _ body: @Sendable (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let pool = PostgresPool(settings: settings, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pool.run() }
            defer { group.cancelAll() }
            return try await body(pool)
        }
    }

    /// A pooled connection for the duration of `body`.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in try await body(connection) }
    }

    private static func tls(_ mode: PostgresSettings.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }
}
