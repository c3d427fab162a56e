import NIOCore
public import PostgresNIO

/// One change record of a stream, as stored (images in `ItemCodec` bytes).
public struct StreamRecordData: Sendable, Equatable {
    /// 1 INSERT, 2 MODIFY, 3 REMOVE (the SQLite adapter's codes).
    public var event: Int16
    /// 1 for a TTL deletion (userIdentity dynamodb.amazonaws.com), else 0.
    public var service: Int16
    public var size: Int32
    public var created: Double
    public var keys: [UInt8]
    public var old: [UInt8]?
    public var new: [UInt8]?

    public init(
        event: Int16, service: Int16 = 0, size: Int32, created: Double, keys: [UInt8],
        old: [UInt8]? = nil, new: [UInt8]? = nil
    ) {
        self.event = event
        self.service = service
        self.size = size
        self.created = created
        self.keys = keys
        self.old = old
        self.new = new
    }
}

/// Stream records numbered per shard, with no gap a reader could skip past.
///
/// The sequence number comes from the shard row (`kv_shards.next_seq`), incremented by an
/// UPDATE inside the transaction that writes the item: the row stays locked until that
/// transaction ends, so the writers of one shard, on every node, take numbers one at a time. A
/// number is visible only once its transaction committed, and the next writer can take the next
/// number only after that commit (or after a rollback, which gives the same number back): a
/// reader that has seen number n has already been able to see every number below n. A
/// sequence (`nextval`) would not do: numbers are taken out of commit order and lost on rollback.
///
/// The cost is that the writers of one shard serialize on its row from the append to COMMIT;
/// the engine spreads a table's items over several shards (by partition key hash) so that
/// per-item order holds and unrelated items do not wait for each other.
public enum PostgresStreams {
    /// Opens shard `shard` of stream `streamID` (numbering from `startSeq`); nothing if it is open.
    public static func openShard(
        streamID: Int64, shard: Int32, parent: Int32? = nil, startSeq: Int64 = 1, opened: Double,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO kv_shards (stream_id, shard, parent, opened, start_seq, next_seq)
            VALUES (\(streamID), \(shard), \(parent), \(opened), \(startSeq), \(startSeq))
            ON CONFLICT DO NOTHING
            """, logger: logger)
    }

    /// Closes an open shard (shard rotation) in the caller's transaction and returns its last
    /// number (`end_seq`; `startSeq - 1` when it holds none), or nil when it is not open.
    ///
    /// The UPDATE waits for the shard row, so appends in flight commit first; an append queued
    /// behind the close then finds the shard closed and fails with `shardNotOpen`: the engine
    /// reruns that write into the child shard, opened in the same transaction as the close.
    public static func closeShard(
        streamID: Int64, shard: Int32, closed: Double, on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64? {
        let rows = try await connection.query(
            """
            UPDATE kv_shards SET closed = \(closed), end_seq = next_seq - 1
            WHERE stream_id = \(streamID) AND shard = \(shard) AND closed IS NULL RETURNING end_seq
            """, logger: logger)
        var end: Int64?
        for try await value in rows.decode(Int64.self) { end = value }
        return end
    }

    /// The open shards of stream `streamID`, in number order, as the caller's transaction sees
    /// them: where an appender picks its shard (and picks again after `shardNotOpen`).
    public static func openShards(
        streamID: Int64, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Int32] {
        let rows = try await connection.query(
            "SELECT shard FROM kv_shards WHERE stream_id = \(streamID) AND closed IS NULL ORDER BY shard",
            logger: logger)
        var shards: [Int32] = []
        for try await shard in rows.decode(Int32.self) { shards.append(shard) }
        return shards
    }

    /// Appends `record` to an open shard in the caller's transaction, and returns its number.
    ///
    /// Run it after the item's own writes, just before COMMIT: the shard row is locked from
    /// here to the end of the transaction.
    public static func append(
        _ record: StreamRecordData, streamID: Int64, shard: Int32,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64 {
        var seq: Int64?
        for try await value in try await connection.execute(Append(streamID: streamID, shard: shard, record: record), logger: logger) {
            seq = value
        }
        guard let seq else {
            throw PostgresStorageError.shardNotOpen(streamID: streamID, shard: shard)
        }
        return seq
    }

    /// Up to `limit` committed records of a shard after number `after`, in order.
    public static func read(
        streamID: Int64, shard: Int32, after: Int64, limit: Int32, pool: PostgresPool
    ) async throws -> [(seq: Int64, record: StreamRecordData)] {
        var records: [(seq: Int64, record: StreamRecordData)] = []
        let rows = try await pool.client.execute(
            Read(streamID: streamID, shard: shard, after: after, limit: limit), logger: pool.logger)
        for try await row in rows { records.append(row) }
        return records
    }

    /// Deletes the records of stream `streamID` created before `cutoff` (24 hours, for DynamoDB
    /// Streams), shard by shard as a prefix of its numbers, and records the last number removed
    /// in `trimmed_seq`. Cut by number, not by time alone: nodes' clocks differ, so `created` is
    /// not monotonic in `seq`, and a record must never outlive one numbered after it.
    /// A duty of one node at a time (under a `PostgresLease`).
    ///
    /// - Returns: how many records were deleted.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
    public static func trim(streamID: Int64, createdBefore cutoff: Double, pool: PostgresPool) async throws -> Int {
        let rows = try await pool.client.query(
            """
            WITH cut AS (
                SELECT shard, max(seq) AS seq FROM kv_stream_records
                WHERE stream_id = \(streamID) AND created < \(cutoff) GROUP BY shard
            ), gone AS (
                DELETE FROM kv_stream_records r USING cut
                WHERE r.stream_id = \(streamID) AND r.shard = cut.shard AND r.seq <= cut.seq RETURNING 1
            ), marked AS (
                UPDATE kv_shards s SET trimmed_seq = greatest(s.trimmed_seq, cut.seq) FROM cut
                WHERE s.stream_id = \(streamID) AND s.shard = cut.shard RETURNING 1
            )
            SELECT (SELECT count(*) FROM gone)::bigint
            """, logger: pool.logger)
        var deleted = 0
        for try await count in rows.decode(Int64.self) { deleted = Int(count) }
        return deleted
    }

    /// The last number trimmed from a shard (0 when none): an iterator below it is expired
    /// (TrimmedDataAccessException).
    public static func trimmedSeq(streamID: Int64, shard: Int32, pool: PostgresPool) async throws -> Int64? {
        let rows = try await pool.client.query(
            "SELECT trimmed_seq FROM kv_shards WHERE stream_id = \(streamID) AND shard = \(shard)", logger: pool.logger)
        var trimmed: Int64?
        for try await value in rows.decode(Int64.self) { trimmed = value }
        return trimmed
    }

    struct Append: PostgresPreparedStatement {
        static let sql = """
            WITH s AS (
                UPDATE kv_shards SET next_seq = next_seq + 1
                WHERE stream_id = $1 AND shard = $2 AND closed IS NULL
                RETURNING next_seq - 1 AS seq
            )
            INSERT INTO kv_stream_records (stream_id, shard, seq, created, event, service, size, keys, old, new)
            SELECT $1, $2, s.seq, $3, $4, $5, $6, $7, $8, $9 FROM s
            RETURNING seq
            """
        typealias Row = Int64
        let streamID: Int64
        let shard: Int32
        let record: StreamRecordData

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(streamID)
            bindings.append(shard)
            bindings.append(record.created)
            bindings.append(record.event)
            bindings.append(record.service)
            bindings.append(record.size)
            bindings.append(ByteBuffer(bytes: record.keys))
            bindings.append(record.old.map { ByteBuffer(bytes: $0) })
            bindings.append(record.new.map { ByteBuffer(bytes: $0) })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    struct Read: PostgresPreparedStatement {
        static let sql = """
            SELECT seq, created, event, service, size, keys, old, new FROM kv_stream_records
            WHERE stream_id = $1 AND shard = $2 AND seq > $3 ORDER BY seq LIMIT $4
            """
        typealias Row = (seq: Int64, record: StreamRecordData)
        let streamID: Int64
        let shard: Int32
        let after: Int64
        let limit: Int32

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            bindings.append(streamID)
            bindings.append(shard)
            bindings.append(after)
            bindings.append(Int64(limit))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (seq, created, event, service, size, keys, old, new) = try row.decode(
                (Int64, Double, Int16, Int16, Int32, ByteBuffer, ByteBuffer?, ByteBuffer?).self)
            return (seq, StreamRecordData(
                event: event, service: service, size: size, created: created,
                keys: Array(keys.readableBytesView), old: old.map { Array($0.readableBytesView) },
                new: new.map { Array($0.readableBytesView) }))
        }
    }
}
