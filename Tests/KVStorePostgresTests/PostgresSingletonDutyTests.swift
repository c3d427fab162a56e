import Foundation
import KVStore
import KVStorePostgres
import Logging
import NIOConcurrencyHelpers
import PostgresNIO
import Testing

/// Singleton duties over one database (issue #18): the TTL sweeper runs on exactly one of two
/// engines, passes to the other when its holder shuts down or its pool dies, and a duty write
/// under a lease this node lost commits nothing. TransactWriteItems locks its items up front
/// without waiting: a collision is canceled at once with DynamoDB's TransactionConflict reason.
@Suite(.timeLimit(.minutes(2))) struct PostgresSingletonDutyTests {
    /// Long enough that a renewal is never late on a loaded machine (the whole suite runs its
    /// tests at once), short enough that a takeover after a lifetime keeps the tests quick.
    static let ttl: Int64 = 3000

    /// An engine over its own backend (another "node"), counting the items its TTL sweeper deleted.
    struct Node {
        let backend: PostgresExternalBackend
        let engine: KVEngine
        let swept: NIOLockedValueBox<Int>
        var maintenance: Task<Void, Never>?

        init(_ settings: PostgresSettings) async throws {
            backend = PostgresExternalBackend(
                pool: PostgresPool(settings: settings, logger: TestPostgres.logger), callTimeout: .seconds(20),
                leaseTTLMilliseconds: PostgresSingletonDutyTests.ttl)
            let swept = NIOLockedValueBox(0)
            self.swept = swept
            var configuration = EngineConfiguration(dataDirectory: nil, ttlInterval: 0.1)
            configuration.observers.timeToLiveDeleted = { _, count in swept.withLockedValue { $0 += count } }
            engine = try await KVEngine(configuration: configuration, logger: TestPostgres.logger, backend: backend)
        }

        mutating func startMaintenance() {
            let engine = engine
            maintenance = Task { await engine.runMaintenance() }
        }

        func stop() async {
            maintenance?.cancel()
            await maintenance?.value
            await backend.close()
        }

        var sweptCount: Int { swept.withLockedValue { $0 } }
    }

    static func createExpiringTable(_ engine: KVEngine, _ name: String) async throws {
        try await PostgresExternalBackendTests.createTable(engine, name)
        _ = try await engine.updateTimeToLive(tableName: name, enabled: true, attributeName: "expires")
    }

    /// `count` items whose TTL passed a minute ago.
    static func putExpired(_ engine: KVEngine, _ table: String, _ prefix: String, count: Int) async throws {
        let past = Int(Date().timeIntervalSince1970) - 60
        for i in 0..<count {
            _ = try await engine.putItem(
                PutItemRequest(tableName: table, item: ["id": .string("\(prefix)\(i)"), "expires": .number(Number(past))]))
        }
    }

    static func waitUntil(_ limit: Duration, _ what: String, _ condition: () -> Bool) async throws {
        let start = ContinuousClock.now
        while !condition() {
            guard ContinuousClock.now - start < limit else {
                Issue.record("timed out waiting for \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func oneNodeSweepsAndAnotherTakesOverWhenItShutsDown() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
        }
        var a = try await Node(settings)
        var b = try await Node(settings)
        try await Self.createExpiringTable(a.engine, "Sessions")
        try await Self.putExpired(a.engine, "Sessions", "first-", count: 20)
        a.startMaintenance()
        b.startMaintenance()
        try await Self.waitUntil(.seconds(15), "the first sweep") { a.sweptCount + b.sweptCount >= 20 }
        // Another second of passes on both: still one sweeper, and nothing deleted twice.
        try await Task.sleep(for: .seconds(1))
        #expect(a.sweptCount + b.sweptCount == 20)
        #expect([a.sweptCount, b.sweptCount].sorted() == [0, 20], "both nodes swept")
        let (holder, other) = a.sweptCount > 0 ? (a, b) : (b, a)

        // A clean shutdown gives the lease up: the other node sweeps next, well within a lifetime.
        await holder.stop()
        let stopped = ContinuousClock.now
        try await Self.putExpired(other.engine, "Sessions", "second-", count: 20)
        try await Self.waitUntil(.seconds(10), "the takeover") { other.sweptCount >= 20 }
        #expect(other.sweptCount == 20)
        #expect(ContinuousClock.now - stopped < .milliseconds(Self.ttl * 4))
        await other.stop()
    }

    @Test func theDutyPassesOnWhenTheHoldersPoolDiesAndItsStaleEpochIsFenced() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
        }
        let duty = SingletonDuty.timeToLive.rawValue
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { poolB in
            let b = PostgresDutyLeases(pool: poolB, ttlMilliseconds: Self.ttl, holder: "node-b")
            // Node A takes the duty; then its pool dies (no release: its connections are gone).
            let a = try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { poolA in
                let a = PostgresDutyLeases(pool: poolA, ttlMilliseconds: Self.ttl, holder: "node-a")
                #expect(await a.epoch(for: duty) == 1)
                #expect(await b.epoch(for: duty) == nil)
                // Renewed by its keeper, not lost, past the lifetime of the first taking.
                try await Task.sleep(for: .milliseconds(Self.ttl + 1000))
                #expect(await a.epoch(for: duty) == 1)
                #expect(await b.epoch(for: duty) == nil)
                return a
            }
            let died = ContinuousClock.now
            var taken: Int64?
            while taken == nil, ContinuousClock.now - died < .seconds(20) {
                try await Task.sleep(for: .milliseconds(50))
                taken = await b.epoch(for: duty)
            }
            #expect(taken == 2)
            // A no longer counts itself the holder once its last renewal's lifetime ran out.
            #expect(await a.epoch(for: duty) == nil)
            // A back with a new pool and its old epoch: its duty transaction is fenced off.
            try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { poolA in
                let stale = PostgresDutyFence(
                    lease: PostgresLease(pool: poolA, duty: duty, holder: "node-a", ttlMilliseconds: Self.ttl), epoch: 1)
                await #expect(throws: PostgresLeaseLost(duty: duty, epoch: 1)) {
                    try await poolA.transaction { connection in try await stale.check(on: connection) }
                }
            }
            await a.releaseAll(timeout: .milliseconds(200))
            await b.releaseAll()
        }
    }

    @Test func aDutyWriteUnderALostLeaseCommitsNothing() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
        }
        let node = try await Node(settings)
        try await PostgresExternalBackendTests.createTable(node.engine, "Fenced")
        let duty = SingletonDuty.timeToLive.rawValue
        let epoch = try #require(await node.backend.leases.epoch(for: duty))
        // Held: a write under the lease commits.
        let fence = PostgresDutyFence(lease: node.backend.leases.lease(duty), epoch: epoch)
        try await PostgresDutyFence.$current.withValue(fence) {
            _ = try await node.engine.putItem(PutItemRequest(tableName: "Fenced", item: ["id": .string("held")]))
        }
        // An epoch this node no longer holds (another node took over meanwhile, and more than
        // once): refused, nothing written.
        let stale = PostgresDutyFence(lease: node.backend.leases.lease(duty), epoch: epoch + 1000)
        // (A storage failure to the engine: `PostgresLeaseLost` inside `PostgresBackendFailure`.)
        await #expect(throws: (any Error).self) {
            try await PostgresDutyFence.$current.withValue(stale) {
                _ = try await node.engine.putItem(PutItemRequest(tableName: "Fenced", item: ["id": .string("stale")]))
            }
        }
        let read = { (id: String) in
            try await node.engine.getItem(GetItemRequest(tableName: "Fenced", key: ["id": .string(id)], consistentRead: true))
        }
        #expect(try await read("held") != nil)
        #expect(try await read("stale") == nil)
        await node.stop()
    }

    @Test func theTablePurgeRunsOnTheHousekeepingHolder() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
        }
        var node = try await Node(settings)
        try await PostgresExternalBackendTests.createTable(node.engine, "Dropped")
        for i in 0..<30 {
            _ = try await node.engine.putItem(PutItemRequest(tableName: "Dropped", item: ["id": .string("i\(i)")]))
        }
        _ = try await node.engine.deleteTable("Dropped")
        let pool = node.backend.runner.pool
        #expect(try await PostgresTablePurge.pending(pool: pool).count == 1)
        node.startMaintenance()
        // The rows go a batch at a time; the table is forgotten by the batch that finds none left.
        var left = -1
        var pending = [Int64]()
        let start = ContinuousClock.now
        repeat {
            try await Task.sleep(for: .milliseconds(100))
            let rows = try await pool.client.query("SELECT count(*)::int8 FROM kv_items", logger: TestPostgres.logger)
            for try await count in rows.decode(Int64.self) { left = Int(count) }
            pending = try await PostgresTablePurge.pending(pool: pool)
        } while (left != 0 || !pending.isEmpty) && ContinuousClock.now - start < .seconds(30)
        #expect(left == 0)
        #expect(pending.isEmpty)
        await node.stop()
    }

    @Test func anIndexMadeOnOneNodeIsBackfilledByTheDutyHolder() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
        }
        var a = try await Node(settings)
        var b = try await Node(settings)
        let duty = SingletonDuty.indexBackfill.rawValue
        // A holds the backfill duty; the index is made through B, which never backfills.
        #expect(await a.backend.leases.epoch(for: duty) != nil)
        #expect(await b.backend.leases.epoch(for: duty) == nil)
        try await PostgresExternalBackendTests.createTable(b.engine, "Queue")
        for index in 0..<40 {
            _ = try await b.engine.putItem(
                PutItemRequest(tableName: "Queue", item: ["id": .string("t\(index)"), "state": .string(index % 2 == 0 ? "open" : "done")]))
        }
        _ = try await b.engine.updateTable(
            UpdateTableRequest(
                tableName: "Queue", attributeDefinitions: [KeyAttribute(name: "state", type: .string)],
                indexUpdates: [
                    .create(
                        IndexRequest(
                            name: "by-state", keySchema: [KeySchemaElement(attributeName: "state", keyType: .hash)],
                            projectionKind: .keysOnly, nonKeyAttributes: nil, provisionedThroughput: nil))
                ]))
        a.startMaintenance()
        b.startMaintenance()
        var status = IndexDefinition.Status.creating
        let start = ContinuousClock.now
        while status != .active, ContinuousClock.now - start < .seconds(20) {
            try await Task.sleep(for: .milliseconds(100))
            await b.engine.refreshCatalog()
            status = try await b.engine.describeTable("Queue").definition.index(named: "by-state")?.status ?? .creating
        }
        #expect(status == .active)
        var rows: Int64 = -1
        let counted = try await b.backend.runner.pool.client.query("SELECT count(*)::int8 FROM kv_index_items", logger: TestPostgres.logger)
        for try await count in counted.decode(Int64.self) { rows = count }
        #expect(rows == 40)
        #expect(await b.backend.leases.epoch(for: duty) == nil)
        await a.stop()
        await b.stop()
    }

    @Test func collidingTransactionsAreCanceledAtOnceWithATransactionConflictReason() async throws {
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
        }
        let node = try await Node(settings)
        try await PostgresExternalBackendTests.createTable(node.engine, "Accounts")
        for id in ["x", "y"] {
            _ = try await node.engine.putItem(PutItemRequest(tableName: "Accounts", item: ["id": .string(id)]))
        }
        // Another transaction holds y's row (key bytes of an S key are its UTF-8).
        let pool = node.backend.runner.pool
        let (locked, lockTaken) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.transaction { connection in
                let rows = try await connection.query(
                    "SELECT 1 FROM kv_items WHERE pk = convert_to('y', 'UTF8') FOR UPDATE", logger: TestPostgres.logger)
                var lockedRows = 0
                for try await _ in rows { lockedRows += 1 }
                #expect(lockedRows == 1)
                lockTaken.yield()
                try await Task.sleep(for: .seconds(3))
            }
        }
        for await _ in locked { break }
        let start = ContinuousClock.now
        let request = TransactWriteRequest(actions: [
            .put(PutItemRequest(tableName: "Accounts", item: ["id": .string("x"), "v": .string("1")])),
            .put(PutItemRequest(tableName: "Accounts", item: ["id": .string("y"), "v": .string("1")])),
        ])
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
        // (TransactionCanceledException: an ongoing TransactWriteItems operation conflicts).
        await #expect(
            throws: KVError.transactionCanceled([
                .none, CancellationReason(code: "TransactionConflict", message: "Transaction is ongoing for the item"),
            ])
        ) {
            _ = try await node.engine.transactWriteItems(request)
        }
        #expect(ContinuousClock.now - start < .milliseconds(900), "waited for the lock")
        try await holder.value
        // Once the other transaction ended, the same call commits.
        _ = try await node.engine.transactWriteItems(request)
        let x = try await node.engine.getItem(GetItemRequest(tableName: "Accounts", key: ["id": .string("x")], consistentRead: true))
        #expect(x?["v"] == .string("1"))
        await node.stop()
    }
}
