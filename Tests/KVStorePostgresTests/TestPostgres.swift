import Foundation
import KVStore
import KVStorePostgres
import Logging
import PostgresNIO

/// The PostgreSQL cluster the tests run against, and a fresh database per test.
///
/// `KVSTORE_TEST_POSTGRES_URL` (with `KVSTORE_TEST_POSTGRES_PASSWORD_FILE`) names a running
/// cluster (Scripts/test.sh starts one for the whole run); without it, the first test starts a
/// throwaway cluster with `Scripts/postgres.sh start --watch <this process>`, which stops it when
/// the test process exits. A test that cannot get a cluster fails: it never skips.
enum TestPostgres {
    static let logger = Logger(label: "kvstore.postgres.test") { _ in SwiftLogNoOpLogHandler() }

    private static let cluster = Task<PostgresSettings, any Error> { try startOrFindCluster() }

    /// The settings of the cluster's `kvstore` database (shared by all tests: create nothing there).
    static func clusterSettings() async throws -> PostgresSettings {
        try await cluster.value
    }

    /// The settings of a new, empty database of its own.
    static func freshDatabase() async throws -> PostgresSettings {
        let admin = try await clusterSettings()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresPool.withRunning(settings: admin, logger: logger) { pool in
            try await pool.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var settings = admin
        settings.database = name
        return settings
    }

    /// `body` with a running pool on a fresh, migrated database.
    @discardableResult
    static func withMigratedDatabase<Result: Sendable>(
        _ body: @Sendable (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let settings = try await freshDatabase()
        return try await PostgresPool.withRunning(settings: settings, logger: logger) { pool in
            try await PostgresMigrator.migrate(pool)
            return try await body(pool)
        }
    }

    /// `body` with two backends (two "nodes") over one fresh, migrated database; both are closed
    /// after it, whether it returns or throws.
    static func withTwoBackends(
        _ body: @Sendable (PostgresExternalBackend, PostgresExternalBackend) async throws -> Void
    ) async throws {
        let settings = try await freshDatabase()
        let first = PostgresExternalBackend(pool: PostgresPool(settings: settings, logger: logger), callTimeout: .seconds(20))
        let second = PostgresExternalBackend(pool: PostgresPool(settings: settings, logger: logger), callTimeout: .seconds(20))
        do {
            try await PostgresMigrator.migrate(first.runner.pool)
            try await body(first, second)
        } catch {
            await first.close()
            await second.close()
            throw error
        }
        await first.close()
        await second.close()
    }

    /// `body` with an engine on each of `withTwoBackends`'s backends, sharing `configuration`
    /// and `clock`.
    static func withTwoEngines(
        configuration: EngineConfiguration = EngineConfiguration(dataDirectory: nil),
        clock: @escaping @Sendable () -> Double = WallClock.now,
        _ body: @Sendable (KVEngine, KVEngine) async throws -> Void
    ) async throws {
        try await withTwoBackends { first, second in
            let a = try await KVEngine(configuration: configuration, logger: logger, backend: first, clock: clock)
            let b = try await KVEngine(configuration: configuration, logger: logger, backend: second, clock: clock)
            try await body(a, b)
        }
    }

    private static func startOrFindCluster() throws -> PostgresSettings {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["KVSTORE_TEST_POSTGRES_URL"] {
            return try settings(url: url, passwordFile: environment["KVSTORE_TEST_POSTGRES_PASSWORD_FILE"])
        }
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Scripts/postgres.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start", "--watch", String(ProcessInfo.processInfo.processIdentifier)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The output ends when the script does. (Not `waitUntilExit`: inside the test runner it
        // was seen never to return on Linux.) Success is judged by what the script printed.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        var values: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            // `export NAME=VALUE`, VALUE as printf %q prints a path or URL (no quoting needed).
            guard line.hasPrefix("export "), let equals = line.firstIndex(of: "=") else { continue }
            let name = line[line.index(line.startIndex, offsetBy: 7)..<equals]
            values[String(name)] = String(line[line.index(after: equals)...])
        }
        guard let url = values["KVSTORE_TEST_POSTGRES_URL"] else {
            throw TestPostgresError("Scripts/postgres.sh start failed (see its messages above): PostgreSQL is required for these tests")
        }
        return try settings(url: url, passwordFile: values["KVSTORE_TEST_POSTGRES_PASSWORD_FILE"])
    }

    private static func settings(url: String, passwordFile: String?) throws -> PostgresSettings {
        var settings = try PostgresSettings.parse(
            passwordFile.map { "\(url)?password_file=\($0)&sslmode=disable" } ?? "\(url)?sslmode=disable")
        settings.poolSize = 24
        return settings
    }
}

struct TestPostgresError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
