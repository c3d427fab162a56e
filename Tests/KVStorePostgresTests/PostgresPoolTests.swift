import KVStorePostgres
import PostgresNIO
import Testing

@Suite struct PostgresPoolTests {
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

    @Test func aWrongPasswordIsRefused() async throws {
        var settings = try await TestPostgres.clusterSettings()
        settings.password = "not-the-password"
        await #expect(throws: PSQLError.self) {
            try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
                try await pool.client.query("SELECT 1", logger: TestPostgres.logger)
            }
        }
    }
}

private struct BackendPID: PostgresPreparedStatement {
    static let sql = "SELECT pg_backend_pid()"
    typealias Row = Int32

    func makeBindings() throws -> PostgresBindings { PostgresBindings() }

    func decodeRow(_ row: PostgresRow) throws -> Int32 { try row.decode(Int32.self) }
}
