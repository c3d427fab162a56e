public import Logging
import NIOSSL
import PostgresNIO

/// One direct connection, opened and closed, to check the settings when kvserver starts.
///
/// The pool retries failed connections with backoff for about a minute before it gives up, so a
/// wrong password or host would only surface as slow requests; the probe fails at once, with
/// PostgreSQL's own error (such as SQLSTATE 28P01 for a wrong password).
public enum PostgresProbe {
    /// The oldest PostgreSQL kvserver runs on: 14 (`server_version_num` 140000), the oldest
    /// major release the PostgreSQL project still supports as this is written. The SQL used
    /// (docs/postgres-backend.md, "SQL features relied on") is older; the tests run on 15.
    public static let minimumServerVersion = 140000

    /// Connects with `settings`, checks the server's version, and returns it.
    ///
    /// - Throws: `PostgresStorageError.serverTooOld` for a server older than
    ///   `minimumServerVersion`; PostgreSQL's error for bad settings.
    @discardableResult
    public static func check(_ settings: PostgresSettings, logger: Logger) async throws -> Int {
        let version = try await serverVersion(settings, logger: logger)
        try requireSupported(version)
        return version
    }

    /// Throws `serverTooOld` unless `version` (a `server_version_num`) is supported.
    public static func requireSupported(_ version: Int) throws {
        guard version >= minimumServerVersion else {
            throw PostgresStorageError.serverTooOld(found: version, minimum: minimumServerVersion)
        }
    }

    /// Connects with `settings` and returns the server's version number (`server_version_num`,
    /// e.g. 150018 for 15.18).
    public static func serverVersion(_ settings: PostgresSettings, logger: Logger) async throws -> Int {
        try await withConnection(settings, logger: logger) { connection in try await Self.version(on: connection, logger: logger) }
    }

    /// The check of a read replica (`--storage-replica`): as `check`, and the server must be a
    /// standby (`pg_is_in_recovery()`: replaying a primary's WAL, so it holds a copy of the
    /// primary's data, behind by its replay lag). A server that is not in recovery is a primary
    /// of its own (another database, or a standby promoted after a failover, whose data has
    /// since gone its own way): reads from it would not be eventually consistent with the
    /// primary kvserver writes to, so it is refused.
    ///
    /// - Throws: `PostgresStorageError.replicaNotStandby`, `serverTooOld`, or PostgreSQL's error.
    @discardableResult
    public static func checkReplica(_ settings: PostgresSettings, logger: Logger) async throws -> Int {
        let (version, inRecovery) = try await withConnection(settings, logger: logger) {
            (connection: PostgresConnection) async throws -> (Int, Bool) in
            let version = try await Self.version(on: connection, logger: logger)
            var inRecovery = false
            let rows = try await connection.query("SELECT pg_is_in_recovery()", logger: logger)
            for try await value in rows.decode(Bool.self) { inRecovery = value }
            return (version, inRecovery)
        }
        try requireSupported(version)
        guard inRecovery else { throw PostgresStorageError.replicaNotStandby }
        return version
    }

    /// The database cluster `settings` reach (`pg_control_system()`'s `system_identifier`, set
    /// by initdb and kept by every physical standby made from it), or nil where it cannot be read
    /// (a role without the privilege, a PostgreSQL-compatible engine without the function).
    public static func systemIdentifier(_ settings: PostgresSettings, logger: Logger) async -> Int64? {
        try? await withConnection(settings, logger: logger) { (connection: PostgresConnection) async throws -> Int64? in
            var identifier: Int64?
            let rows = try await connection.query("SELECT system_identifier FROM pg_control_system()", logger: logger)
            for try await value in rows.decode(Int64.self) { identifier = value }
            return identifier
        }
    }

    /// Whether `replica` is a standby of `primary`'s cluster: true or false when both identifiers
    /// could be read (`systemIdentifier`), nil when not.
    public static func replicates(_ primary: PostgresSettings, replica: PostgresSettings, logger: Logger) async -> Bool? {
        guard let primaryID = await systemIdentifier(primary, logger: logger),
            let replicaID = await systemIdentifier(replica, logger: logger)
        else { return nil }
        return primaryID == replicaID
    }

    private static func version(on connection: PostgresConnection, logger: Logger) async throws -> Int {
        var version = 0
        let rows = try await connection.query("SELECT current_setting('server_version_num')::integer", logger: logger)
        for try await value in rows.decode(Int32.self) { version = Int(value) }
        return version
    }

    /// One direct connection with `settings` for the duration of `body`, closed afterwards.
    private static func withConnection<Result: Sendable>(
        _ settings: PostgresSettings, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let tls: PostgresConnection.Configuration.TLS =
            switch settings.tls {
            case .disable: .disable
            case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        let configuration = PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user,
            password: settings.password, database: settings.database, tls: tls)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
