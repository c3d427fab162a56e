import NIOCore
public import PostgresNIO

/// One shard row as DescribeStream and the iterators need it (times in seconds since 1970).
public struct ShardRow: Sendable, Equatable {
    public var shard: Int32
    public var parent: Int32?
    public var opened: Double
    public var startSeq: Int64
    /// Set once closed: the shard's last number (`startSeq - 1` when it holds none).
    public var endSeq: Int64?
    /// Every record numbered up to this one was trimmed (0: none).
    public var trimmedSeq: Int64
}

/// A stream as the SQLite engine keeps one (`StreamLog`): one open shard at a time, rolled
/// over to a child shard once it has been open for the rollover interval, the child numbering
/// on from its parent's end. The appends of a transaction go to the open shard just before
/// COMMIT (`appendToOpenShard`), which also rolls it over; the shard row stays locked from there
/// to COMMIT, so each shard's numbers are handed out one committed transaction at a time
/// (`PostgresStreams`, "no gap a reader could skip past").
extension PostgresStreams {
    /// Appends `records` (in their order) to the open shard of stream `streamID` in the
    /// caller's transaction, first rolling the shard over when it was opened `rollover`
    /// seconds or more before `now` (closing it and opening its child), and returns the shard
    /// and the numbers.
    ///
    /// The open shard is locked (`FOR UPDATE`) before anything else: a concurrent appender or
    /// rollover on another node waits for this transaction, then finds the shard closed (its
    /// statement sees no open shard) and looks again, seeing the child. A stream with no open
    /// shard (disabled, or dropped with its table) takes no record: `shardNotOpen`.
    public static func appendToOpenShard(
        _ records: [StreamRecordData], streamID: Int64, now: Double, rollover: Double,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> (shard: Int32, seqs: [Int64]) {
        var open: (shard: Int32, opened: Double)?
        // A concurrent rollover that committed while this statement waited leaves it empty:
        // the next statement sees the child shard. Each empty round means another transaction
        // committed a rollover, so the rounds end (bounded all the same).
        for _ in 0..<1000 {
            let rows = try await connection.query(
                """
                SELECT shard, opened FROM kv_shards WHERE stream_id = \(streamID) AND closed IS NULL
                ORDER BY shard DESC LIMIT 1 FOR UPDATE
                """, logger: logger)
            for try await row in rows.decode((Int32, Double).self) { open = row }
            if open != nil { break }
            let any = try await connection.query(
                "SELECT 1 FROM kv_shards WHERE stream_id = \(streamID) AND closed IS NULL LIMIT 1", logger: logger)
            var reopened = false
            for try await _ in any { reopened = true }
            if !reopened { break }
        }
        guard var (shard, opened) = open else {
            throw PostgresStorageError.shardNotOpen(streamID: streamID, shard: 0)
        }
        if now - opened >= rollover {
            guard let end = try await closeShard(streamID: streamID, shard: shard, closed: now, on: connection, logger: logger),
                shard < Int32.max
            else {
                throw PostgresStorageError.unexpected("a locked open shard could not be rolled over")
            }
            try await openShard(
                streamID: streamID, shard: shard + 1, parent: shard, startSeq: end + 1, opened: now,
                on: connection, logger: logger)
            shard += 1
            opened = now
        }
        var seqs: [Int64] = []
        for record in records {
            seqs.append(try await append(record, streamID: streamID, shard: shard, on: connection, logger: logger))
        }
        return (shard, seqs)
    }

    /// Closes every open shard of a stream (the stream is disabled), waiting for appends in
    /// flight to commit first, so each shard's `end_seq` is its last record.
    public static func closeOpenShards(
        streamID: Int64, closed: Double, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE kv_shards SET closed = \(closed), end_seq = next_seq - 1
            WHERE stream_id = \(streamID) AND closed IS NULL
            """, logger: logger)
    }

    /// Removes every shard and record of a stream (its table is deleted).
    public static func drop(streamID: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM kv_stream_records WHERE stream_id = \(streamID)", logger: logger)
        try await connection.query("DELETE FROM kv_shards WHERE stream_id = \(streamID)", logger: logger)
    }

    /// The stream's shards numbered above `after`, in order.
    public static func shards(
        streamID: Int64, after: Int32, on connection: PostgresConnection, logger: Logger
    ) async throws -> [ShardRow] {
        try await shardRows(
            connection.query(
                """
                SELECT shard, parent, opened, start_seq, end_seq, trimmed_seq FROM kv_shards
                WHERE stream_id = \(streamID) AND shard > \(after) ORDER BY shard
                """, logger: logger))
    }

    /// One shard, or nil.
    public static func shard(
        streamID: Int64, shard: Int32, on connection: PostgresConnection, logger: Logger
    ) async throws -> ShardRow? {
        try await shardRows(
            connection.query(
                """
                SELECT shard, parent, opened, start_seq, end_seq, trimmed_seq FROM kv_shards
                WHERE stream_id = \(streamID) AND shard = \(shard)
                """, logger: logger)
        ).first
    }

    private static func shardRows(_ rows: PostgresRowSequence) async throws -> [ShardRow] {
        var shards: [ShardRow] = []
        for try await (shard, parent, opened, start, end, trimmed) in rows.decode(
            (Int32, Int32?, Double, Int64, Int64?, Int64).self)
        {
            shards.append(ShardRow(shard: shard, parent: parent, opened: opened, startSeq: start, endSeq: end, trimmedSeq: trimmed))
        }
        return shards
    }

    /// The last number handed out in a shard (`next_seq - 1`; committed, as the caller's
    /// transaction sees it), or nil when there is no such shard: where LATEST starts.
    public static func lastSeq(
        streamID: Int64, shard: Int32, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64? {
        let rows = try await connection.query(
            "SELECT next_seq - 1 FROM kv_shards WHERE stream_id = \(streamID) AND shard = \(shard)", logger: logger)
        var last: Int64?
        for try await value in rows.decode(Int64.self) { last = value }
        return last
    }

    /// Up to `limit` records of a shard after number `after`, in order, on the caller's
    /// connection (its transaction's snapshot).
    public static func read(
        streamID: Int64, shard: Int32, after: Int64, limit: Int32, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(seq: Int64, record: StreamRecordData)] {
        var records: [(seq: Int64, record: StreamRecordData)] = []
        let rows = try await connection.execute(Read(streamID: streamID, shard: shard, after: after, limit: limit), logger: logger)
        for try await row in rows { records.append(row) }
        return records
    }

    /// The creation time of the newest record of a shard, or nil when it holds none.
    public static func newestCreated(
        streamID: Int64, shard: Int32, on connection: PostgresConnection, logger: Logger
    ) async throws -> Double? {
        let rows = try await connection.query(
            """
            SELECT created FROM kv_stream_records WHERE stream_id = \(streamID) AND shard = \(shard)
            ORDER BY seq DESC LIMIT 1
            """, logger: logger)
        var created: Double?
        for try await value in rows.decode(Double.self) { created = value }
        return created
    }

    /// One trimming batch over every stream: in each shard, among its oldest `limit` records,
    /// the prefix up to the last one created before `cutoff` is deleted and the shard marked
    /// trimmed up to it. Cut by number within a shard (nodes' clocks differ, so `created` is
    /// not monotonic in `seq`, and a record must never outlive one numbered before it); each
    /// shard's records are found by its primary key. Safe to run on several nodes at once.
    /// - Returns: how many records were deleted.
    public static func trimBatch(
        createdBefore cutoff: Double, limit: Int32, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int {
        let rows = try await connection.query(
            """
            WITH cut AS (
                SELECT s.stream_id, s.shard, c.seq FROM kv_shards s CROSS JOIN LATERAL (
                    SELECT max(p.seq) AS seq FROM (
                        SELECT r.seq, r.created FROM kv_stream_records r
                        WHERE r.stream_id = s.stream_id AND r.shard = s.shard ORDER BY r.seq LIMIT \(limit)
                    ) p WHERE p.created < \(cutoff)
                ) c WHERE c.seq IS NOT NULL
            ), gone AS (
                DELETE FROM kv_stream_records r USING cut
                WHERE r.stream_id = cut.stream_id AND r.shard = cut.shard AND r.seq <= cut.seq RETURNING 1
            ), marked AS (
                UPDATE kv_shards s SET trimmed_seq = greatest(s.trimmed_seq, cut.seq) FROM cut
                WHERE s.stream_id = cut.stream_id AND s.shard = cut.shard RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone)::bigint
            """, logger: logger)
        var deleted = 0
        for try await count in rows.decode(Int64.self) { deleted = Int(count) }
        return deleted
    }

    /// Removes shards closed before `cutoff` that hold no record any more.
    public static func dropDrainedShards(
        closedBefore cutoff: Double, on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            DELETE FROM kv_shards s WHERE s.closed IS NOT NULL AND s.closed < \(cutoff) AND NOT EXISTS
                (SELECT 1 FROM kv_stream_records r WHERE r.stream_id = s.stream_id AND r.shard = s.shard)
            """, logger: logger)
    }

    /// Whether the stream has any shard left.
    public static func hasShards(streamID: Int64, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("SELECT 1 FROM kv_shards WHERE stream_id = \(streamID) LIMIT 1", logger: logger)
        var found = false
        for try await _ in rows { found = true }
        return found
    }
}
