import KVStorePostgres
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresStreamTrimTests {
    @Test func trimmingCutsAPrefixOfEachShardByNumber() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            // Shard 0's clocks disagree: record 2 claims an earlier time than record 1.
            let created: [Int32: [Double]] = [0: [100, 50, 300, 400], 1: [10, 20, 500]]
            try await pool.transaction { connection in
                for (shard, times) in created {
                    try await PostgresStreams.openShard(streamID: 4, shard: shard, opened: 0, on: connection, logger: TestPostgres.logger)
                    for time in times {
                        _ = try await PostgresStreams.append(
                            StreamRecordData(event: 1, size: 0, created: time, keys: []), streamID: 4, shard: shard,
                            on: connection, logger: TestPostgres.logger)
                    }
                }
            }
            let deleted = try await PostgresStreams.trim(streamID: 4, createdBefore: 200, pool: pool)
            #expect(deleted == 4)
            #expect(try await PostgresStreams.read(streamID: 4, shard: 0, after: 0, limit: 10, pool: pool).map(\.seq) == [3, 4])
            #expect(try await PostgresStreams.read(streamID: 4, shard: 1, after: 0, limit: 10, pool: pool).map(\.seq) == [3])
            #expect(try await PostgresStreams.trimmedSeq(streamID: 4, shard: 0, pool: pool) == 2)
            #expect(try await PostgresStreams.trimmedSeq(streamID: 4, shard: 1, pool: pool) == 2)
            #expect(try await PostgresStreams.trim(streamID: 4, createdBefore: 200, pool: pool) == 0)
        }
    }
}

@Suite(.timeLimit(.minutes(2))) struct PostgresShardRotationTests {
    @Test func aClosedShardTakesNoMoreRecordsAndItsChildNumbersOn() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let record = StreamRecordData(event: 1, size: 0, created: 1, keys: [])
            try await pool.transaction { connection in
                try await PostgresStreams.openShard(streamID: 6, shard: 0, opened: 0, on: connection, logger: TestPostgres.logger)
                for _ in 0..<3 {
                    _ = try await PostgresStreams.append(record, streamID: 6, shard: 0, on: connection, logger: TestPostgres.logger)
                }
            }
            let end = try await pool.transaction { connection in
                let end = try await PostgresStreams.closeShard(streamID: 6, shard: 0, closed: 2, on: connection, logger: TestPostgres.logger)
                try await PostgresStreams.openShard(
                    streamID: 6, shard: 1, parent: 0, startSeq: (end ?? 0) + 1, opened: 2, on: connection, logger: TestPostgres.logger)
                return end
            }
            #expect(end == 3)
            await #expect(throws: PostgresStorageError.shardNotOpen(streamID: 6, shard: 0)) {
                try await pool.transaction { connection in
                    try await PostgresStreams.append(record, streamID: 6, shard: 0, on: connection, logger: TestPostgres.logger)
                }
            }
            let next = try await pool.transaction { connection in
                try await PostgresStreams.append(record, streamID: 6, shard: 1, on: connection, logger: TestPostgres.logger)
            }
            #expect(next == 4)
            // Closing twice does nothing.
            let again = try await pool.transaction { connection in
                try await PostgresStreams.closeShard(streamID: 6, shard: 0, closed: 3, on: connection, logger: TestPostgres.logger)
            }
            #expect(again == nil)
        }
    }
}

extension PostgresShardRotationTests {
    @Test func anAppendQueuedBehindACloseFindsTheShardClosed() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let record = StreamRecordData(event: 1, size: 0, created: 1, keys: [])
            try await pool.transaction { connection in
                try await PostgresStreams.openShard(streamID: 7, shard: 0, opened: 0, on: connection, logger: TestPostgres.logger)
            }
            let queued = try await pool.transaction { connection in
                _ = try await PostgresStreams.closeShard(streamID: 7, shard: 0, closed: 1, on: connection, logger: TestPostgres.logger)
                // Another node appends now: it waits for the shard row until this transaction commits.
                let queued = Task {
                    try await pool.transaction { other in
                        try await PostgresStreams.append(record, streamID: 7, shard: 0, on: other, logger: TestPostgres.logger)
                    }
                }
                try await Task.sleep(for: .milliseconds(300))
                return queued
            }
            await #expect(throws: PostgresStorageError.shardNotOpen(streamID: 7, shard: 0)) {
                try await queued.value
            }
        }
    }
}
