public import Logging
import NIOSSL
import PostgresNIO

/// One direct connection, opened and closed, to check the settings when kvserver starts.
///
/// The pool retries failed connections with backoff for about a minute before it gives up, so a
/// wrong password or host would only surface as slow requests; the probe fails at once, with
/// PostgreSQL's own error (such as SQLSTATE 28P01 for a wrong password).
public enum PostgresProbe {
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
