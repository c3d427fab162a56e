import KVStorePostgres
import PostgresNIO
import Testing

/// Per-shard stream numbering under concurrent committers on several pools: a reader polling
/// while they write never finds a gap that fills in later, and sees every record once, in each
/// writer's order.
@Suite(.timeLimit(.minutes(2))) struct PostgresStreamsTests {
    @Test func aReaderNeverSkipsARecordWhileManyNodesAppend() async throws {
        let writers = 12
        let perWriter = 40
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
            try await pool.transaction { connection in
                try await PostgresStreams.openShard(streamID: 9, shard: 0, opened: 0, on: connection, logger: TestPostgres.logger)
            }
        }
        let seen = try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { first in
            try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { second in
                try await withThrowingTaskGroup(of: [(Int64, [UInt8])].self) { group in
                    let done = Counter()
                    for writer in 0..<writers {
                        let pool = writer.isMultiple(of: 2) ? first : second
                        group.addTask {
                            for index in 0..<perWriter {
                                let key = RowKey(storageID: 1, hash: Int64(writer), pk: [UInt8(writer)])
                                try await pool.retryingConflicts { connection in
                                    let old = try await PostgresItems.readForUpdate(key, on: connection, logger: TestPostgres.logger)
                                    try await PostgresItems.apply(
                                        .put(ItemRow(item: [UInt8(index)], size: 1)), at: key, replacing: old,
                                        on: connection, logger: TestPostgres.logger)
                                    let record = StreamRecordData(
                                        event: old == nil ? 1 : 2, size: 1, created: 0, keys: [UInt8(writer), UInt8(index)],
                                        new: [UInt8(index)])
                                    _ = try await PostgresStreams.append(
                                        record, streamID: 9, shard: 0, on: connection, logger: TestPostgres.logger)
                                    // Hold the shard row a little, so that commits queue behind it.
                                    if index.isMultiple(of: 7) { try await Task.sleep(for: .milliseconds(2)) }
                                }
                            }
                            _ = await done.next()
                            return []
                        }
                    }
                    group.addTask {
                        // The reader: from the last number seen, only ever the next numbers, none skipped.
                        var last: Int64 = 0
                        var seen: [(Int64, [UInt8])] = []
                        while true {
                            let finished = await done.value == writers
                            let batch = try await PostgresStreams.read(streamID: 9, shard: 0, after: last, limit: 50, pool: first)
                            for (seq, record) in batch {
                                #expect(seq == last + 1, "a reader skipped from \(last) to \(seq)")
                                last = seq
                                seen.append((seq, record.keys))
                            }
                            if finished && batch.isEmpty { return seen }
                            if batch.isEmpty { try await Task.sleep(for: .milliseconds(1)) }
                        }
                    }
                    var all: [(Int64, [UInt8])] = []
                    for try await part in group { all += part }
                    return all
                }
            }
        }
        #expect(seen.count == writers * perWriter)
        #expect(seen.map(\.0) == Array(1...Int64(writers * perWriter)))
        for writer in 0..<writers {
            let order = seen.filter { $0.1.first == UInt8(writer) }.map { Int($0.1[1]) }
            #expect(order == Array(0..<perWriter), "writer \(writer)'s records out of order")
        }
    }

    @Test func aRolledBackAppendLeavesNoGap() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let record = StreamRecordData(event: 1, size: 1, created: 1.5, keys: [1], old: nil, new: [2])
            try await pool.transaction { connection in
                try await PostgresStreams.openShard(streamID: 3, shard: 1, opened: 1, on: connection, logger: TestPostgres.logger)
                #expect(try await PostgresStreams.append(record, streamID: 3, shard: 1, on: connection, logger: TestPostgres.logger) == 1)
            }
            await #expect(throws: TestPostgresError.self) {
                try await pool.transaction { connection in
                    #expect(try await PostgresStreams.append(record, streamID: 3, shard: 1, on: connection, logger: TestPostgres.logger) == 2)
                    throw TestPostgresError("the write failed after its stream record")
                }
            }
            let next = try await pool.transaction { connection in
                try await PostgresStreams.append(record, streamID: 3, shard: 1, on: connection, logger: TestPostgres.logger)
            }
            #expect(next == 2)
            let records = try await PostgresStreams.read(streamID: 3, shard: 1, after: 0, limit: 10, pool: pool)
            #expect(records.map(\.seq) == [1, 2])
            #expect(records.first?.record == record)
        }
    }

    @Test func appendingToAMissingShardFails() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            await #expect(throws: PostgresStorageError.shardNotOpen(streamID: 77, shard: 0)) {
                try await pool.transaction { connection in
                    try await PostgresStreams.append(
                        StreamRecordData(event: 1, size: 0, created: 0, keys: []), streamID: 77, shard: 0,
                        on: connection, logger: TestPostgres.logger)
                }
            }
        }
    }
}
