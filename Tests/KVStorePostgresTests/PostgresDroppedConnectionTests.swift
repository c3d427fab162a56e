import KVStorePostgres
import PostgresNIO
import Testing

/// Sessions the server ends mid-transaction (`pg_terminate_backend`, standing in for a killed
/// node's connections, a failover or an idle-session timeout), through the runner: that
/// transaction fails (nothing of it remains, never reported as committed), no call hangs (each
/// is bounded by `callTimeout`; postgres-nio may never answer a statement sent on such a
/// connection), and the calls after it work on other connections. Many rounds each, since the
/// hang showed only in some runs (docs/postgres-backend.md).
@Suite(.timeLimit(.minutes(3))) struct PostgresDroppedConnectionTests {
    private let key = RowKey(storageID: 1, hash: 1, pk: Array("k".utf8))
    private static let rounds = 25

    @Test func aSessionEndingItselfMidTransactionFailsOnlyThatTransaction() async throws {
        try await TestPostgres.withRunner(threads: 4, callTimeout: .seconds(3)) { [key] runner throws in
            for round in 0..<Self.rounds {
                let started = ContinuousClock.now
                await #expect(throws: (any Error).self) {
                    try await runner.run(.write()) { transaction in
                        try transaction.apply(.put(CounterItem.row(Int64(round))), at: key, replacing: try transaction.readForUpdate(key))
                        try transaction.run("terminate") { connection, logger in
                            try await connection.query("SELECT pg_terminate_backend(pg_backend_pid())", logger: logger)
                            return ()
                        }
                    }
                }
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(try await runner.run(.read) { try $0.read(key) } == nil)
            }
        }
    }

    @Test func aSessionEndedByAnotherBeforeCommitIsNotReportedAsCommitted() async throws {
        try await TestPostgres.withRunner(threads: 4, callTimeout: .seconds(3)) { [key] runner throws in
            let pool = runner.pool
            for round in 0..<Self.rounds {
                let started = ContinuousClock.now
                do {
                    try await runner.run(.write()) { transaction in
                        try transaction.apply(.put(CounterItem.row(Int64(round))), at: key, replacing: try transaction.readForUpdate(key))
                        let pid = try transaction.run("pid") { connection, logger in
                            var pid: Int32 = 0
                            for try await value in try await connection.query("SELECT pg_backend_pid()", logger: logger).decode(Int32.self) {
                                pid = value
                            }
                            return pid
                        }
                        // Another session ends this one and waits until it is gone; then COMMIT.
                        try transaction.run("terminate") { _, logger in
                            _ = try await pool.withConnection { other in
                                try await other.query("SELECT pg_terminate_backend(\(pid), 5000)", logger: logger)
                            }
                            return ()
                        }
                    }
                    Issue.record("a transaction whose session was ended reported success")
                } catch PostgresStorageError.connectionLost {
                    // Seen closed before COMMIT was sent: rolled back, and known to be.
                } catch let error as PSQLError where error.serverInfo != nil {
                    // The server's FATAL (57P01, admin_shutdown) arrived as COMMIT's answer:
                    // rolled back (1 run in 20 here).
                    #expect(error.serverInfo?[.sqlState] == "57P01")
                } catch PostgresStorageError.commitOutcomeUnknown {
                    // COMMIT sent and never answered (postgres-nio on a connection the server
                    // ended): bounded by callTimeout, and reported as unknown, never as success.
                }
                // Never a hang: at most one callTimeout (plus closing the connection) per round.
                #expect(ContinuousClock.now - started < .seconds(10))
                #expect(try await runner.run(.read) { try $0.read(key) } == nil)
            }
        }
    }

    @Test func aCommitWithNoAnswerIsAnUnknownOutcome() {
        // Only an error the server answered means "rolled back"; anything else is unknown.
        #expect(PostgresStorageError.commitFailure(PostgresStorageError.timedOut("COMMIT")) as? PostgresStorageError
            == .commitOutcomeUnknown)
        #expect(PostgresStorageError.commitFailure(TestPostgresError("connection reset")) as? PostgresStorageError
            == .commitOutcomeUnknown)
        #expect(PostgresStorageError.commitFailure(PostgresConflict(.serializationFailure)) as? PostgresConflict
            == PostgresConflict(.serializationFailure))
        // COMMIT never sent: known not to have committed.
        #expect(PostgresStorageError.commitFailure(PostgresStorageError.connectionLost("COMMIT")) as? PostgresStorageError
            == .connectionLost("COMMIT"))
    }
}
