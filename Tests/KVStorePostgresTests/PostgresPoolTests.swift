import KVStorePostgres
import PostgresNIO
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresPoolTests {
    @Test func connectsWithThePasswordAndRunsPreparedStatementsOnManyConnections() async throws {
        let settings = try await TestPostgres.clusterSettings()
        #expect(settings.password != nil)
        let backends = try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await withThrowingTaskGroup(of: Int32.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        var pid: Int32 = 0
                        for try await value in try await pool.client.execute(BackendPID(), logger: TestPostgres.logger) {
                            pid = value
                        }
                        return pid
                    }
                }
                var pids: Set<Int32> = []
                for try await pid in group { pids.insert(pid) }
                return pids
            }
        }
        // The pool spreads concurrent statements over several server processes, none beyond its size.
        #expect(backends.count > 1)
        #expect(backends.count <= settings.poolSize)
    }

    @Test func theProbeReportsTheServerVersion() async throws {
        let version = try await PostgresProbe.serverVersion(TestPostgres.clusterSettings(), logger: TestPostgres.logger)
        #expect(version >= 150000)
        #expect(try await PostgresProbe.check(TestPostgres.clusterSettings(), logger: TestPostgres.logger) == version)
    }

    @Test func aServerOlderThanTheMinimumIsRefusedWithItsVersion() throws {
        #expect(throws: PostgresStorageError.serverTooOld(found: 130012, minimum: 140000)) {
            try PostgresProbe.requireSupported(130012)
        }
        #expect(throws: PostgresStorageError.serverTooOld(found: 90624, minimum: 140000)) {
            try PostgresProbe.requireSupported(90624)
        }
        try PostgresProbe.requireSupported(140000)
        try PostgresProbe.requireSupported(180001)
        #expect(PostgresStorageError.serverTooOld(found: 130012, minimum: 140000).description
            == "The PostgreSQL server is version 13.12; kvserver needs 14.0 or newer.")
        #expect(PostgresStorageError.serverTooOld(found: 90624, minimum: 140000).description
            == "The PostgreSQL server is version 9.6.24; kvserver needs 14.0 or newer.")
    }

    @Test func theProbeFailsAtOnceOnAWrongPassword() async throws {
        var settings = try await TestPostgres.clusterSettings()
        settings.password = "not-the-password"
        let started = ContinuousClock.now
        await #expect {
            try await PostgresProbe.serverVersion(settings, logger: TestPostgres.logger)
        } throws: { error in
            // invalid_password
            (error as? PSQLError)?.serverInfo?[.sqlState] == "28P01"
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func theProbeFailsAtOnceWhenNothingListens() async throws {
        var settings = try await TestPostgres.clusterSettings()
        settings.port = 1
        await #expect(throws: (any Error).self) {
            try await PostgresProbe.serverVersion(settings, logger: TestPostgres.logger)
        }
    }
}

private struct BackendPID: PostgresPreparedStatement {
    static let sql = "SELECT pg_backend_pid()"
    typealias Row = Int32

    func makeBindings() throws -> PostgresBindings { PostgresBindings() }

    func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
}
