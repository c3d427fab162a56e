import KVStorePostgres
import PostgresNIO
import Testing

/// Lost races come out as `PostgresConflict` (the engine's TransactionConflictException), with
/// the losing transaction rolled back; other failures pass through, also rolled back.
@Suite(.timeLimit(.minutes(2))) struct PostgresTransactionTests {
    private let a = RowKey(storageID: 1, hash: 1, pk: Array("a".utf8))
    private let b = RowKey(storageID: 1, hash: 2, pk: Array("b".utf8))

    @Test func aSerializationFailureIsAConflict() async throws {
        try await TestPostgres.withMigratedDatabase { [a] pool in
            try await PostgresItems(pool: pool).conditionalWrite(a) { _ in (.put(ItemRow(item: [0], size: 1)), ()) }
            await #expect(throws: PostgresConflict(.serializationFailure)) {
                try await pool.transaction(isolation: .repeatableRead) { connection in
                    // The snapshot is taken by the first read; then another transaction commits a change.
                    _ = try await read(a, connection)
                    try await pool.transaction { other in
                        let old = try await PostgresItems.readForUpdate(a, on: other, logger: TestPostgres.logger)
                        try await PostgresItems.apply(.put(ItemRow(item: [1], size: 1)), at: a, replacing: old, on: other, logger: TestPostgres.logger)
                    }
                    let old = try await PostgresItems.readForUpdate(a, on: connection, logger: TestPostgres.logger)
                    try await PostgresItems.apply(.put(ItemRow(item: [2], size: 1)), at: a, replacing: old, on: connection, logger: TestPostgres.logger)
                }
            }
            // The winner's write stands; the loser left nothing.
            #expect(try await PostgresItems(pool: pool).read(a)?.item == [1])
        }
    }

    @Test func aLockedRowIsAConflictForNoWaitAndForALockTimeout() async throws {
        try await TestPostgres.withMigratedDatabase { [a] pool in
            try await PostgresItems(pool: pool).conditionalWrite(a) { _ in (.put(ItemRow(item: [0], size: 1)), ()) }
            try await pool.transaction { holder in
                _ = try await PostgresItems.readForUpdate(a, on: holder, logger: TestPostgres.logger)
                await #expect(throws: PostgresConflict(.lockNotAvailable)) {
                    try await pool.transaction { other in
                        try await PostgresItems.readForUpdate(a, noWait: true, on: other, logger: TestPostgres.logger)
                    }
                }
                await #expect(throws: PostgresConflict(.lockNotAvailable)) {
                    try await pool.transaction(lockTimeoutMilliseconds: 50) { other in
                        try await PostgresItems.readForUpdate(a, on: other, logger: TestPostgres.logger)
                    }
                }
            }
        }
    }

    @Test func aDeadlockIsAConflictForOneSideOnly() async throws {
        try await TestPostgres.withMigratedDatabase { [a, b] pool in
            let items = PostgresItems(pool: pool)
            for key in [a, b] {
                try await items.conditionalWrite(key) { _ in (.put(ItemRow(item: [0], size: 1)), ()) }
            }
            let barrier = Barrier(parties: 2)
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for (first, second) in [(a, b), (b, a)] {
                    group.addTask {
                        do {
                            try await pool.transaction { connection in
                                _ = try await PostgresItems.readForUpdate(first, on: connection, logger: TestPostgres.logger)
                                await barrier.arrive()
                                _ = try await PostgresItems.readForUpdate(second, on: connection, logger: TestPostgres.logger)
                            }
                            return "committed"
                        } catch let conflict as PostgresConflict {
                            return conflict.reason.rawValue
                        }
                    }
                }
                var outcomes: [String] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes.sorted()
            }
            #expect(outcomes == ["40P01", "committed"])
        }
    }

    @Test func otherFailuresPassThroughAndRollBack() async throws {
        try await TestPostgres.withMigratedDatabase { [a] pool throws in
            await #expect(throws: PSQLError.self) {
                try await pool.transaction { connection in
                    try await PostgresItems.apply(.put(ItemRow(item: [7], size: 1)), at: a, replacing: nil, on: connection, logger: TestPostgres.logger)
                    try await connection.query("SELECT * FROM no_such_table", logger: TestPostgres.logger)
                }
            }
            #expect(try await PostgresItems(pool: pool).read(a) == nil)
            #expect(PostgresConflict.classify(TestPostgresError("other")) == nil)
        }
    }

    @Test func retryingConflictsRunsAgainUntilItCommits() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let attempts = Counter()
            let result = try await pool.retryingConflicts(attempts: 3) { _ in
                if await attempts.next() < 3 { throw PostgresConflict(.deadlock) }
                return "done"
            }
            #expect(result == "done")
            #expect(await attempts.value == 3)
            await #expect(throws: PostgresConflict(.deadlock)) {
                try await pool.retryingConflicts(attempts: 2) { _ in throw PostgresConflict(.deadlock) }
            }
        }
    }

    private func read(_ key: RowKey, _ connection: PostgresConnection) async throws -> Int {
        var count = 0
        let rows = try await connection.query(
            "SELECT 1 FROM kv_items WHERE storage_id = \(key.storageID) AND h = \(key.hash)",
            logger: TestPostgres.logger)
        for try await _ in rows { count += 1 }
        return count
    }
}

/// Waits until `parties` tasks have arrived.
actor Barrier {
    private let parties: Int
    private var arrived = 0

    init(parties: Int) {
        self.parties = parties
    }

    func arrive() async {
        arrived += 1
        while arrived < parties {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

actor Counter {
    private(set) var value = 0

    func next() -> Int {
        value += 1
        return value
    }
}
