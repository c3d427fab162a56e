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
            var version = 0
            let rows = try await connection.query("SELECT current_setting('server_version_num')::integer", logger: logger)
            for try await value in rows.decode(Int32.self) { version = Int(value) }
            try await connection.close()
            return version
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
