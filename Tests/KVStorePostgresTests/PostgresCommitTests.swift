import Foundation
import KVStorePostgres
import PostgresNIO
import Testing

/// The commit step: one item's change set (item, index rows, expiry row, stream record) in one
/// transaction through the runner; many writers on many connections; multi-item transactions
/// that commit whole or conflict; the stream seeing every committed change once, in item order.
@Suite(.timeLimit(.minutes(3))) struct PostgresCommitTests {
    private static let stream: Int64 = 5

    private static func key(_ index: Int) -> RowKey {
        RowKey(storageID: 1, hash: Int64(index % 3), pk: Array("item\(index)".utf8))
    }

    /// A change set setting `key` to `value`, with its stream record in shard `index % 2`.
    private static func set(_ key: RowKey, old: ItemRow?, to value: Int64, shard: Int32) -> PostgresChangeSet {
        let new = CounterItem.row(value)
        return PostgresChangeSet(
            key: key, old: old, write: .put(new),
            stream: StreamAppend(
                streamID: stream, shard: shard,
                record: StreamRecordData(event: old == nil ? 1 : 2, size: 8, created: 0, keys: key.pk, old: old?.item, new: new.item)))
    }

    private static func openShards(_ shards: [Int32], _ pool: PostgresPool) async throws {
        try await pool.transaction { connection in
            for shard in shards {
                try await PostgresStreams.openShard(streamID: stream, shard: shard, opened: 0, on: connection, logger: TestPostgres.logger)
            }
        }
    }

    /// Every record of the stream's shards, per item key, in shard order.
    private static func records(_ shards: [Int32], _ pool: PostgresPool) async throws -> [[UInt8]: [StreamRecordData]] {
        var byItem: [[UInt8]: [StreamRecordData]] = [:]
        for shard in shards {
            var last: Int64 = 0
            while true {
                let batch = try await PostgresStreams.read(streamID: stream, shard: shard, after: last, limit: 500, pool: pool)
                guard let end = batch.last?.seq else { break }
                for (seq, record) in batch {
                    #expect(seq == last + 1)
                    last = seq
                    byItem[record.keys, default: []].append(record)
                }
                #expect(end == last)
            }
        }
        return byItem
    }

    /// The records of one item form one chain: each one's old image is the previous one's new.
    private static func expectChain(_ records: [StreamRecordData], from initial: Int64?, count: Int) {
        #expect(records.count == count)
        var current = initial
        for record in records {
            #expect(CounterItem.value(record.old) == current, "a change seen twice, lost or out of order")
            current = CounterItem.value(record.new)
        }
    }

    @Test func aChangeSetWritesItemIndexRowsExpiryAndStreamRecordTogether() async throws {
        try await TestPostgres.withRunner { runner in
            let pool = runner.pool
            try await Self.openShards([0], pool)
            let key = Self.key(1)
            let index = IndexRowKey(storageID: 1, indexNo: 1, hash: 7, pk: [7], tpk: key.pk)
            @Sendable func change(_ old: ItemRow?) -> PostgresChangeSet {
                var change = Self.set(key, old: old, to: 1, shard: 0)
                change.indexRows = [.put(index, ItemRow(item: [1], size: 1))]
                change.expiry = ExpiryChange(from: nil, to: 100)
                return change
            }
            // Rolled back: none of it.
            await #expect(throws: TestPostgresError.self) {
                try await runner.run(.write()) { transaction in
                    try transaction.commit(change(try transaction.readForUpdate(key)))
                    throw TestPostgresError("after the commit step, before COMMIT")
                }
            }
            try await expectStored(item: nil, indexRows: 0, due: 0, records: 0)
            try await runner.writeItem(key) { _, old in (change(old), ()) }
            try await expectStored(item: 1, indexRows: 1, due: 1, records: 1)
            // A delete moves the index row and expiry row out, and is one more record.
            try await runner.writeItem(key) { _, old in
                (PostgresChangeSet(
                    key: key, old: old, write: .delete, indexRows: [.delete(index)], expiry: ExpiryChange(from: 100, to: nil),
                    stream: StreamAppend(
                        streamID: Self.stream, shard: 0,
                        record: StreamRecordData(event: 3, size: 8, created: 0, keys: key.pk, old: old?.item))), ())
            }
            try await expectStored(item: nil, indexRows: 0, due: 0, records: 2)

            func expectStored(item: Int64?, indexRows: Int, due: Int, records: Int) async throws {
                #expect(CounterItem.value(try await PostgresItems(pool: pool).read(key)) == item)
                let rows = try await PostgresIndexRows.scan(storageID: 1, indexNo: 1, after: nil, limit: 10, pool: pool)
                #expect(rows.count == indexRows)
                #expect(try await PostgresExpiry.due(storageID: 1, now: 1000, limit: 10, pool: pool).count == due)
                #expect(try await PostgresStreams.read(streamID: Self.stream, shard: 0, after: 0, limit: 10, pool: pool).count == records)
            }
        }
    }

    @Test func concurrentWritersOnTwoNodesLoseNoUpdateAndTheStreamSeesEachOnceInOrder() async throws {
        let items = 4
        let workers = 12
        let perWorker = 20
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
            try await Self.openShards([0, 1], pool)
        }
        // Two nodes: two pools, two runners.
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { first in
            try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { second in
                let runners = [
                    PostgresTransactionRunner(pool: first, threads: 6), PostgresTransactionRunner(pool: second, threads: 6),
                ]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<workers {
                        let runner = runners[worker % 2]
                        group.addTask {
                            for step in 0..<perWorker {
                                let index = (worker + step) % items
                                let key = Self.key(index)
                                try await runner.writeItem(key) { _, old in
                                    (Self.set(key, old: old, to: (CounterItem.value(old) ?? 0) + 1, shard: Int32(index % 2)), ())
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                for runner in runners { try await runner.shutdown() }
                let records = try await Self.records([0, 1], first)
                var total: Int64 = 0
                for index in 0..<items {
                    let key = Self.key(index)
                    let value = try #require(CounterItem.value(try await PostgresItems(pool: first).read(key)))
                    total += value
                    Self.expectChain(records[key.pk] ?? [], from: nil, count: Int(value))
                }
                #expect(total == Int64(workers * perWorker))
            }
        }
    }

    @Test func concurrentMultiItemTransactionsCommitWholeOrConflict() async throws {
        let accounts = 6
        let workers = 12
        let perWorker = 15
        try await TestPostgres.withRunner(threads: 12) { runner in
            let pool = runner.pool
            try await Self.openShards([0, 1], pool)
            for index in 0..<accounts {
                let key = Self.key(index)
                try await runner.writeItem(key) { _, old in (Self.set(key, old: old, to: 100, shard: Int32(index % 2)), ()) }
            }
            let outcomes = try await withThrowingTaskGroup(of: (committed: Int, conflicts: Int).self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var committed = 0
                        var conflicts = 0
                        for step in 0..<perWorker {
                            let from = (worker + step) % accounts
                            let to = (worker * 7 + step * 3 + 1) % accounts == from ? (from + 1) % accounts : (worker * 7 + step * 3 + 1) % accounts
                            let keys = [Self.key(from), Self.key(to)]
                            do {
                                try await runner.transactWrite(keys: keys) { _, _, items in
                                    let source = items[keys[0]]
                                    let target = items[keys[1]]
                                    let amount = Int64(1 + step % 3)
                                    return ([
                                        Self.set(keys[0], old: source, to: (CounterItem.value(source) ?? 0) - amount, shard: Int32(from % 2)),
                                        Self.set(keys[1], old: target, to: (CounterItem.value(target) ?? 0) + amount, shard: Int32(to % 2)),
                                    ], ())
                                }
                                committed += 1
                            } catch is PostgresConflict {
                                conflicts += 1
                            }
                        }
                        return (committed, conflicts)
                    }
                }
                var total = (committed: 0, conflicts: 0)
                for try await outcome in group {
                    total.committed += outcome.committed
                    total.conflicts += outcome.conflicts
                }
                return total
            }
            #expect(outcomes.committed + outcomes.conflicts == workers * perWorker)
            #expect(outcomes.committed > 0)
            // Money is neither made nor lost; each account's changes form one chain; every
            // committed transaction is two records, a rejected one none.
            let records = try await Self.records([0, 1], pool)
            var sum: Int64 = 0
            var changes = 0
            for index in 0..<accounts {
                let key = Self.key(index)
                let value = try #require(CounterItem.value(try await PostgresItems(pool: pool).read(key)))
                sum += value
                let chain = records[key.pk] ?? []
                Self.expectChain(chain, from: nil, count: chain.count)
                #expect(CounterItem.value(chain.last?.new) == value)
                changes += chain.count - 1
            }
            #expect(sum == Int64(100 * accounts))
            #expect(changes == 2 * outcomes.committed)
        }
    }

    @Test func aWriteWhoseShardClosedMeanwhileRunsAgainIntoTheOpenShard() async throws {
        try await TestPostgres.withRunner { runner in
            let pool = runner.pool
            try await Self.openShards([0], pool)
            let key = Self.key(1)
            let attempts = LockedCounter()
            let rotating = TestFlag()
            let appendQueued = TestFlag()
            // The rotation closes shard 0 and opens 1, and holds shard 0's row until told.
            async let rotation: Void = pool.transaction { connection in
                _ = try await PostgresStreams.closeShard(streamID: Self.stream, shard: 0, closed: 1, on: connection, logger: TestPostgres.logger)
                try await PostgresStreams.openShard(streamID: Self.stream, shard: 1, parent: 0, opened: 1, on: connection, logger: TestPostgres.logger)
                rotating.set()
                try await appendQueued.awaitSet()
                try await Task.sleep(for: .milliseconds(200))
            }
            try await rotating.awaitSet()
            try await runner.writeItem(key) { transaction, old in
                // The first attempt still sees shard 0 open (the rotation has not committed)
                // and queues on its row; the rerun sees shard 1.
                let shard = try #require(try transaction.openShards(streamID: Self.stream).last)
                let attempt = attempts.next()
                if attempt == 1 { appendQueued.set() }
                return (Self.set(key, old: old, to: Int64(attempt), shard: shard), ())
            }
            try await rotation
            #expect(attempts.value == 2)
            #expect(try await PostgresStreams.read(streamID: Self.stream, shard: 0, after: 0, limit: 10, pool: pool).isEmpty)
            let moved = try await PostgresStreams.read(streamID: Self.stream, shard: 1, after: 0, limit: 10, pool: pool)
            #expect(moved.map(\.seq) == [1])
            #expect(CounterItem.value(try await PostgresItems(pool: pool).read(key)) == 2)
        }
    }

    @Test func aTokenUsedBeforeWritesNothingAndAConcurrentInsertIsAConflict() async throws {
        try await TestPostgres.withRunner(threads: 12) { runner in
            let pool = runner.pool
            let key = Self.key(1)
            let token = PostgresTransactionToken(token: "t-1", fingerprint: "f", now: 1000)
            for expected in [nil, PostgresTokens.Claim.used(fingerprint: "f")] as [PostgresTokens.Claim?] {
                let claim = try await runner.transactWrite(keys: [key], token: token) { _, claim, items in
                    let write = claim == .claimed ? [Self.set(key, old: items[key], to: (CounterItem.value(items[key]) ?? 0) + 1, shard: 0)] : []
                    return (write.map { var change = $0; change.stream = nil; return change }, claim)
                }
                #expect(claim == (expected ?? .claimed))
            }
            #expect(CounterItem.value(try await PostgresItems(pool: pool).read(key)) == 1)
            // Creators of one new key in transactions: one writes, the others conflict or, coming
            // later, find the item (and write nothing).
            let fresh = Self.key(2)
            let wrote = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        do {
                            return try await runner.transactWrite(keys: [fresh]) { _, _, items in
                                items[fresh] == nil ? ([PostgresChangeSet(key: fresh, old: nil, write: .put(CounterItem.row(1)))], 1) : ([], 0)
                            }
                        } catch is PostgresConflict {
                            return 0
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(wrote == 1)
        }
    }
}
