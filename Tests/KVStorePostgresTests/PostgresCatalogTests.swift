import KVStorePostgres
import PostgresNIO
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresCatalogTests {
    @Test func createsFindsListsUpdatesAndDeletesTables() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            var created: [CatalogRow] = []
            for name in ["b", "a", "B", "a-1", "Z_9"] {
                let row = try await pool.transaction { connection in
                    try await PostgresCatalog.create(name: name, definition: "{\"n\":\"\(name)\"}", on: connection, logger: TestPostgres.logger)
                }
                created.append(try #require(row))
            }
            // Storage ids are new for every table.
            #expect(Set(created.map(\.storageID)).count == created.count)
            // A second table of the same name is refused (ResourceInUseException).
            let again = try await pool.transaction { connection in
                try await PostgresCatalog.create(name: "a", definition: "{}", on: connection, logger: TestPostgres.logger)
            }
            #expect(again == nil)
            #expect(try await PostgresCatalog.find("a", pool: pool) == created[1])
            #expect(try await PostgresCatalog.find("nope", pool: pool) == nil)
            // Byte order, in pages.
            #expect(try await PostgresCatalog.names(after: nil, limit: 3, pool: pool) == ["B", "Z_9", "a"])
            #expect(try await PostgresCatalog.names(after: "a", limit: 3, pool: pool) == ["a-1", "b"])
            let updated = try await pool.transaction { connection in
                try await PostgresCatalog.update(name: "b", definition: "{\"status\":\"ACTIVE\"}", on: connection, logger: TestPostgres.logger)
            }
            #expect(updated)
            #expect(try await PostgresCatalog.find("b", pool: pool)?.definition == "{\"status\":\"ACTIVE\"}")
            let deleted = try await pool.transaction { connection in
                try await PostgresCatalog.delete("b", on: connection, logger: TestPostgres.logger)
            }
            #expect(deleted?.storageID == created[0].storageID)
            #expect(try await PostgresCatalog.find("b", pool: pool) == nil)
            // A table created again under an old name gets a new storage id.
            let recreated = try await pool.transaction { connection in
                try await PostgresCatalog.create(name: "b", definition: "{}", on: connection, logger: TestPostgres.logger)
            }
            #expect(try #require(recreated).storageID > created.map(\.storageID).max() ?? 0)
        }
    }

    @Test func oneOfManyConcurrentCreatorsOfANameWins() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for creator in 0..<8 {
                    group.addTask {
                        try await pool.transaction { connection in
                            try await PostgresCatalog.create(
                                name: "orders", definition: "{\"by\":\(creator)}", on: connection, logger: TestPostgres.logger) != nil
                        }
                    }
                }
                var winners = 0
                for try await won in group where won { winners += 1 }
                return winners
            }
            #expect(winners == 1)
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct PostgresTokensTests {
    @Test func aTokenIsClaimedOnceAndRemembersItsFingerprint() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let first = try await pool.transaction { connection in
                try await PostgresTokens.claim("t1", fingerprint: "f1", now: 1000, on: connection, logger: TestPostgres.logger)
            }
            #expect(first == .claimed)
            let second = try await pool.transaction { connection in
                try await PostgresTokens.claim("t1", fingerprint: "f2", now: 1100, on: connection, logger: TestPostgres.logger)
            }
            #expect(second == .used(fingerprint: "f1"))
            // After its 10 minutes, the token is new again.
            let later = try await pool.transaction { connection in
                try await PostgresTokens.claim("t1", fingerprint: "f3", now: 1600, on: connection, logger: TestPostgres.logger)
            }
            #expect(later == .claimed)
        }
    }

    @Test func aClaimRolledBackWithItsWritesLeavesTheTokenFree() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            await #expect(throws: PostgresConflict.self) {
                try await pool.transaction { connection in
                    _ = try await PostgresTokens.claim("t2", fingerprint: "f", now: 1, on: connection, logger: TestPostgres.logger)
                    throw PostgresConflict(.lockNotAvailable)
                }
            }
            let claim = try await pool.transaction { connection in
                try await PostgresTokens.claim("t2", fingerprint: "f", now: 2, on: connection, logger: TestPostgres.logger)
            }
            #expect(claim == .claimed)
        }
    }

    @Test func concurrentCallsWithOneTokenWriteOnce() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let claims = try await withThrowingTaskGroup(of: PostgresTokens.Claim.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await pool.transaction { connection in
                            let claim = try await PostgresTokens.claim("t3", fingerprint: "same", now: 5, on: connection, logger: TestPostgres.logger)
                            // Hold the claim a moment, as a transaction's writes would.
                            try await Task.sleep(for: .milliseconds(20))
                            return claim
                        }
                    }
                }
                var claims: [PostgresTokens.Claim] = []
                for try await claim in group { claims.append(claim) }
                return claims
            }
            #expect(claims.filter { $0 == .claimed }.count == 1)
            #expect(claims.filter { $0 == .used(fingerprint: "same") }.count == 7)
            #expect(try await PostgresTokens.purge(olderThan: 4, pool: pool) == 0)
            #expect(try await PostgresTokens.purge(olderThan: 5, pool: pool) == 1)
        }
    }
}
