import KVStorePostgres
import PostgresNIO
import Testing

/// `PostgresStreams.appendToOpenShard` (the seam's append) under concurrent appenders on two
/// pools, with a rollover interval of 0: every transaction closes the open shard and opens its
/// child. The lineage must stay one chain with one open shard, each child numbering on from its
/// parent's end, and every committed record must sit in exactly one shard within its range.
@Suite(.timeLimit(.minutes(2))) struct PostgresStreamLineageTests {
    @Test func everyAppendRollingOverKeepsOneChainOfShards() async throws {
        let writers = 8
        let perWriter = 15
        let settings = try await TestPostgres.freshDatabase()
        let logger = TestPostgres.logger
        try await PostgresPool.withRunning(settings: settings, logger: logger) { pool in
            try await PostgresMigrator.migrate(pool)
            try await pool.transaction { connection in
                try await PostgresStreams.openShard(streamID: 3, shard: 1, opened: 0, on: connection, logger: logger)
            }
        }
        try await PostgresPool.withRunning(settings: settings, logger: logger) { first in
            try await PostgresPool.withRunning(settings: settings, logger: logger) { second in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        let pool = writer.isMultiple(of: 2) ? first : second
                        group.addTask {
                            for index in 0..<perWriter {
                                try await pool.retryingConflicts { connection in
                                    let record = StreamRecordData(
                                        event: 1, size: 1, created: 1, keys: [UInt8(writer), UInt8(index)])
                                    // Two records per transaction: they stay together, in order.
                                    _ = try await PostgresStreams.appendToOpenShard(
                                        [record, record], streamID: 3, now: 100, rollover: 0,
                                        on: connection, logger: logger)
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        }
        try await PostgresPool.withRunning(settings: settings, logger: logger) { pool in
            try await pool.transaction { connection in
                let shards = try await PostgresStreams.shards(streamID: 3, after: 0, on: connection, logger: logger)
                #expect(shards.count == writers * perWriter + 1)
                #expect(shards.filter { $0.endSeq == nil }.map(\.shard) == [Int32(shards.count)])
                var records = 0
                for (parent, child) in zip(shards, shards.dropFirst()) {
                    #expect(child.parent == parent.shard)
                    #expect(child.startSeq == (parent.endSeq ?? -1) + 1)
                    let held = try await PostgresStreams.read(
                        streamID: 3, shard: parent.shard, after: 0, limit: 10, on: connection, logger: logger)
                    records += held.count
                    // The first shard was empty when the first append closed it; every child
                    // got one transaction's two records, consecutive, and closed after them.
                    if parent.shard > 1 {
                        #expect(held.map(\.seq) == [parent.startSeq, parent.startSeq + 1])
                        #expect(parent.endSeq == parent.startSeq + 1)
                        #expect(held.first?.record.keys == held.last?.record.keys)
                    }
                }
                let open = try #require(shards.last)
                records += try await PostgresStreams.read(
                    streamID: 3, shard: open.shard, after: 0, limit: 10, on: connection, logger: logger).count
                #expect(records == writers * perWriter * 2)
            }
        }
    }

    /// The maintenance loop's trim through the seam: per shard, a prefix by number up to the
    /// last of its oldest records created before the cutoff (clocks of nodes differ: a record
    /// never outlives one numbered before it), `trimmed_seq` marking it; drained closed shards go.
    @Test func trimmingCutsAPrefixOfEachShardAndDropsDrainedShards() async throws {
        let logger = TestPostgres.logger
        try await TestPostgres.withMigratedDatabase { pool in
            try await pool.transaction { connection in
                try await PostgresStreams.openShard(streamID: 5, shard: 1, opened: 0, on: connection, logger: logger)
                try await PostgresStreams.openShard(streamID: 6, shard: 1, opened: 0, on: connection, logger: logger)
                for created in [100.0, 50, 300, 400] {
                    _ = try await PostgresStreams.append(
                        StreamRecordData(event: 1, size: 1, created: created, keys: []), streamID: 5, shard: 1,
                        on: connection, logger: logger)
                }
                for created in [10.0, 20, 500] {
                    _ = try await PostgresStreams.append(
                        StreamRecordData(event: 1, size: 1, created: created, keys: []), streamID: 6, shard: 1,
                        on: connection, logger: logger)
                }
            }
            try await pool.transaction { connection in
                // A batch of 2 per shard: stream 5's first two (100, 50) and stream 6's (10, 20).
                #expect(try await PostgresStreams.trimBatch(createdBefore: 200, limit: 2, on: connection, logger: logger) == 4)
                #expect(try await PostgresStreams.trimBatch(createdBefore: 200, limit: 2, on: connection, logger: logger) == 0)
                let five = try #require(try await PostgresStreams.shard(streamID: 5, shard: 1, on: connection, logger: logger))
                let six = try #require(try await PostgresStreams.shard(streamID: 6, shard: 1, on: connection, logger: logger))
                #expect(five.trimmedSeq == 2)
                #expect(six.trimmedSeq == 2)
                let left = try await PostgresStreams.read(streamID: 5, shard: 1, after: 0, limit: 10, on: connection, logger: logger)
                #expect(left.map(\.seq) == [3, 4])
                // Stream 6's shard, closed and then emptied, is dropped once closed before the cutoff.
                try await PostgresStreams.closeOpenShards(streamID: 6, closed: 600, on: connection, logger: logger)
                #expect(try await PostgresStreams.trimBatch(createdBefore: 1000, limit: 10, on: connection, logger: logger) == 3)
                try await PostgresStreams.dropDrainedShards(closedBefore: 500, on: connection, logger: logger)
                #expect(try await PostgresStreams.hasShards(streamID: 6, on: connection, logger: logger))
                try await PostgresStreams.dropDrainedShards(closedBefore: 700, on: connection, logger: logger)
                #expect(try await !PostgresStreams.hasShards(streamID: 6, on: connection, logger: logger))
                // Stream 5's open shard stays, emptied, its numbering kept.
                #expect(try await PostgresStreams.hasShards(streamID: 5, on: connection, logger: logger))
                #expect(try await PostgresStreams.lastSeq(streamID: 5, shard: 1, on: connection, logger: logger) == 4)
            }
        }
    }
}
