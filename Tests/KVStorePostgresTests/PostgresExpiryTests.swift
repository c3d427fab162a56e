import KVStorePostgres
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresExpiryTests {
    @Test func dueKeysComeSoonestFirstAndFollowTheItemsTTL() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            func key(_ name: String) -> RowKey { RowKey(storageID: 8, hash: 1, pk: Array(name.utf8)) }
            try await pool.transaction { connection in
                for (name, expires) in [("c", Int64(300)), ("a", 100), ("b", 200), ("later", 10_000)] {
                    try await PostgresExpiry.update(key(name), from: nil, to: expires, on: connection, logger: TestPostgres.logger)
                }
                // Another table's expiry rows stay out of this table's sweep.
                try await PostgresExpiry.update(
                    RowKey(storageID: 9, hash: 1, pk: [1]), from: nil, to: 50, on: connection, logger: TestPostgres.logger)
            }
            let due = try await PostgresExpiry.due(storageID: 8, now: 300, limit: 10, pool: pool)
            #expect(due.map(\.key) == [key("a"), key("b"), key("c")])
            #expect(due.map(\.expires) == [100, 200, 300])
            #expect(try await PostgresExpiry.due(storageID: 8, now: 300, limit: 2, pool: pool).count == 2)
            // An update that moves or removes the TTL moves or removes the row.
            try await pool.transaction { connection in
                try await PostgresExpiry.update(key("a"), from: 100, to: 5_000, on: connection, logger: TestPostgres.logger)
                try await PostgresExpiry.update(key("b"), from: 200, to: nil, on: connection, logger: TestPostgres.logger)
            }
            #expect(try await PostgresExpiry.due(storageID: 8, now: 300, limit: 10, pool: pool).map(\.key) == [key("c")])
            #expect(try await PostgresExpiry.due(storageID: 8, now: 5_000, limit: 10, pool: pool).map(\.key) == [key("c"), key("a")])
        }
    }
}
