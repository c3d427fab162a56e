import KVStorePostgres
import PostgresNIO
import Testing

/// One holder per duty across nodes; the lease passes to another node when its holder dies, and
/// the dead holder's epoch is fenced off.
@Suite(.timeLimit(.minutes(2))) struct PostgresLeaseTests {
    @Test func anotherNodeTakesOverWhenTheHolderDies() async throws {
        let settings = try await TestPostgres.freshDatabase()
        let ttl: Int64 = 2000  // not shorter: a loaded machine (the whole suite at once) delays renewals
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
        }
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { nodeB in
            let b = PostgresLease(pool: nodeB, duty: "ttl-sweeper", holder: "node-b", ttlMilliseconds: ttl)
            // Node A takes the lease, renews it, then dies: its pool and connections are gone.
            let lastRenewal = try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { nodeA throws in
                let a = PostgresLease(pool: nodeA, duty: "ttl-sweeper", holder: "node-a", ttlMilliseconds: ttl)
                #expect(try await a.acquireOrRenew() == 1)
                #expect(try await b.acquireOrRenew() == nil)
                let lastRenewal = ContinuousClock.now
                #expect(try await a.acquireOrRenew() == 1)
                return lastRenewal
            }
            let died = ContinuousClock.now
            var epoch: Int64?
            while epoch == nil {
                // A bound against looping forever, not a timing claim (a loaded machine is slow).
                try #require(ContinuousClock.now - died < .seconds(30), "node B never took over")
                try await Task.sleep(for: .milliseconds(50))
                epoch = try await b.acquireOrRenew()
            }
            // Not before A's last renewal ran out (it began after `lastRenewal`; one clock, this machine's).
            #expect(ContinuousClock.now - lastRenewal >= .milliseconds(ttl))
            #expect(epoch == 2)
            #expect(try await b.acquireOrRenew() == 2)
            // A comes back (a stalled process resuming): it neither gets the lease nor passes the fence.
            try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { nodeA in
                let a = PostgresLease(pool: nodeA, duty: "ttl-sweeper", holder: "node-a", ttlMilliseconds: ttl)
                #expect(try await a.acquireOrRenew() == nil)
                #expect(try await nodeA.transaction { try await a.fence(epoch: 1, on: $0) } == false)
                #expect(try await nodeB.transaction { try await b.fence(epoch: 2, on: $0) })
                // A clean shutdown hands over at once.
                try await b.release()
                #expect(try await a.acquireOrRenew() == 3)
            }
        }
    }

    @Test func oneOfManyConcurrentContendersWins() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for node in 0..<10 {
                    group.addTask {
                        let lease = PostgresLease(pool: pool, duty: "stream-trim", holder: "node-\(node)", ttlMilliseconds: 30_000)
                        return try await lease.acquireOrRenew() == nil ? nil : "node-\(node)"
                    }
                }
                var winners: [String] = []
                for try await winner in group { if let winner { winners.append(winner) } }
                return winners
            }
            #expect(winners.count == 1)
            // Duties are independent: another duty is free.
            let other = PostgresLease(pool: pool, duty: "gsi-backfill", holder: "node-0", ttlMilliseconds: 30_000)
            #expect(try await other.acquireOrRenew() == 1)
        }
    }
}
