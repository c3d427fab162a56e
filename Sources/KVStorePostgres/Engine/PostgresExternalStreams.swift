import KVStore
import PostgresNIO

/// What a write transaction's body asked of streams, done by `flushStreams` just before COMMIT.
struct PendingStreamWork {
    struct Record {
        var data: StreamRecordData
        var now: Double
        var rollover: Double
    }

    /// Records to append, by stream, in the order the body wrote them.
    var records: [Int64: [Record]] = [:]
    /// Streams whose open shards close (the stream is disabled), with the time.
    var closes: [Int64: Double] = [:]

    var isEmpty: Bool { records.isEmpty && closes.isEmpty }
}

/// DynamoDB Streams on PostgreSQL (`StreamStorage`), with the SQLite engine's shape (`StreamLog`):
/// one open shard per stream, rolled over to a child shard after the rollover interval, the
/// child numbering on from its parent's end. Numbers are per shard (`kv_shards.next_seq`),
/// not global as SQLite's: a GetRecords client sees only one shard's numbers at a time, and
/// LATEST starts after its own shard's last number (`lastStreamSequence(streamID:shard:)`).
///
/// Writes are queued and done last (`flushStreams`, called by `PostgresExternalBackend.write`
/// after the body): appending locks the stream's open shard row until COMMIT, so every
/// appender of a stream on every node takes its numbers one committed transaction at a time,
/// and a reader never sees number n+1 before n (docs/postgres-backend.md, "Streams without
/// gaps"). Doing it last keeps that lock short, and taking it after the body's item and
/// catalog locks keeps a transaction from waiting on a shard while holding what the shard's
/// holder waits for: appenders hold their table's catalog row `FOR SHARE`, so a disabling
/// UpdateTable (whose catalog UPDATE waits for them) closes the shard only after they
/// committed. Streams are flushed in id order, so two transactions never wait on each other's
/// shards in a cycle.
extension PostgresExternalTransaction {
    func appendStreamRecord(_ record: NewStreamRecord, now: Double, rollover: Double) throws {
        guard writes else { throw PostgresStorageError.unexpected("a stream append in a read transaction") }
        guard let size = Int32(exactly: record.size) else {
            throw PostgresStorageError.unexpected("a stream record larger than 2 GiB")
        }
        let data = StreamRecordData(
            event: Int16(record.event.rawValue), service: record.byService ? 1 : 0, size: size,
            created: Self.seconds(millis: Self.millis(now)), keys: ItemCodec.encode(record.keys),
            old: record.oldImage.map { ItemCodec.encode($0) }, new: record.newImage.map { ItemCodec.encode($0) })
        pendingStreams.records[record.streamID, default: []].append(.init(data: data, now: now, rollover: rollover))
    }

    /// Opens a stream's first shard (StreamLifecycle, when a stream is enabled: the stream is
    /// new, so nothing waits on it), or a child of `parent` numbering on from its end.
    @discardableResult
    func openStreamShard(streamID: Int64, parent: Int64?, now: Double) throws -> Int64 {
        let number = (parent ?? 0) + 1
        guard let shard = Int32(exactly: number) else { throw PostgresStorageError.unexpected("a shard number beyond 32 bits") }
        let parentShard = try parent.map { parent in
            guard let value = Int32(exactly: parent) else { throw PostgresStorageError.unexpected("a shard number beyond 32 bits") }
            return value
        }
        let opened = Self.seconds(millis: Self.millis(now))
        try query("open shard") { connection, logger in
            var start: Int64 = 1
            if let parentShard, let row = try await PostgresStreams.shard(
                streamID: streamID, shard: parentShard, on: connection, logger: logger)
            {
                start = (row.endSeq ?? (row.startSeq - 1)) + 1
            }
            try await PostgresStreams.openShard(
                streamID: streamID, shard: shard, parent: parentShard, startSeq: start, opened: opened,
                on: connection, logger: logger)
        }
        return number
    }

    /// Queued to `flushStreams` (after the table's catalog row is updated: see the type's notes).
    func closeOpenStreamShards(streamID: Int64, now: Double) throws {
        pendingStreams.closes[streamID] = now
    }

    /// Deletes the streams' shards and records (DeleteTable, as the SQLite engine does; the
    /// catalog row is gone in this transaction, so no appender of the table is in flight), and
    /// those of the deleted table's stored definition (the engine's may be stale).
    func dropStreams(_ ids: [Int64]) throws {
        let streamIDs = Array(Set(ids).union(droppedTableStreams))
        droppedTableStreams = []
        guard !streamIDs.isEmpty else { return }
        try query("drop streams") { connection, logger in
            for id in streamIDs.sorted() {
                try await PostgresStreams.drop(streamID: id, on: connection, logger: logger)
            }
        }
        for id in streamIDs {
            pendingStreams.records[id] = nil
            pendingStreams.closes[id] = nil
        }
    }

    /// From the storage id sequence: unique across nodes and never reused, as stream ids must be.
    func nextStreamID() throws -> Int64 {
        try nextStorageID()
    }

    /// Appends the queued records and closes the queued shards, stream by stream in id order.
    func flushStreams() throws {
        guard !pendingStreams.isEmpty else { return }
        let work = pendingStreams
        pendingStreams = PendingStreamWork()
        try query("stream append") { connection, logger in
            for streamID in Set(work.records.keys).union(work.closes.keys).sorted() {
                if let records = work.records[streamID], let first = records.first {
                    _ = try await PostgresStreams.appendToOpenShard(
                        records.map(\.data), streamID: streamID, now: first.now, rollover: first.rollover,
                        on: connection, logger: logger)
                }
                if let closed = work.closes[streamID] {
                    try await PostgresStreams.closeOpenShards(
                        streamID: streamID, closed: Self.seconds(millis: Self.millis(closed)), on: connection, logger: logger)
                }
            }
        }
    }

    // MARK: Reading

    func streamShards(streamID: Int64, after shard: Int64) throws -> [StoredShard] {
        let after = Int32(clamping: shard)
        return try query("stream shards") { connection, logger in
            try await PostgresStreams.shards(streamID: streamID, after: after, on: connection, logger: logger)
        }.map(Self.stored)
    }

    func streamShard(streamID: Int64, shard: Int64) throws -> StoredShard? {
        guard let number = Int32(exactly: shard) else { return nil }
        return try query("stream shard") { connection, logger in
            try await PostgresStreams.shard(streamID: streamID, shard: number, on: connection, logger: logger)
        }.map(Self.stored)
    }

    /// The last number of any shard (only the SQLite trigger storage asks for a global one).
    func lastStreamSequence() throws -> Int64 {
        try query("last sequence") { connection, logger in
            var last: Int64 = 0
            for try await value in try await connection.query(
                "SELECT COALESCE(max(next_seq) - 1, 0)::bigint FROM kv_shards", logger: logger
            ).decode(Int64.self) { last = value }
            return last
        }
    }

    /// The shard's own last number, committed as this transaction sees it: LATEST starts after it.
    func lastStreamSequence(streamID: Int64, shard: Int64) throws -> Int64 {
        guard let number = Int32(exactly: shard) else { return 0 }
        return try query("last shard sequence") { connection, logger in
            try await PostgresStreams.lastSeq(streamID: streamID, shard: number, on: connection, logger: logger) ?? 0
        }
    }

    func streamRecords(streamID: Int64, shard: Int64, after sequence: Int64, limit: Int, maxBytes: Int) throws
        -> [StoredStreamRecord]
    {
        guard let number = Int32(exactly: shard) else { return [] }
        let bound = Int32(clamping: max(0, limit))
        let rows = try query("stream records") { connection, logger in
            StreamRows(rows: try await PostgresStreams.read(
                streamID: streamID, shard: number, after: sequence, limit: bound, on: connection, logger: logger))
        }.rows
        var records: [StoredStreamRecord] = []
        var bytes = 0
        for (seq, data) in rows {
            let size = Int(data.size)
            if !records.isEmpty && bytes + size > maxBytes { break }
            bytes += size
            records.append(
                StoredStreamRecord(
                    sequence: seq, createdMillis: Self.millis(data.created),
                    event: StreamLog.Event(rawValue: Int64(data.event)) ?? .modify, byService: data.service == 1,
                    size: size, keys: try ItemCodec.decode(data.keys),
                    oldImage: try data.old.map { try ItemCodec.decode($0) },
                    newImage: try data.new.map { try ItemCodec.decode($0) }))
        }
        return records
    }

    func newestStreamRecordMillis(streamID: Int64, shard: Int64) throws -> Int64? {
        guard let number = Int32(exactly: shard) else { return nil }
        return try query("newest record") { connection, logger in
            try await PostgresStreams.newestCreated(streamID: streamID, shard: number, on: connection, logger: logger)
        }.map(Self.millis)
    }

    // MARK: Trimming (the maintenance loop; safe on several nodes at once)

    func trimStreamRecords(createdBeforeMillis cutoffMillis: Int64, limit: Int) throws -> Int {
        let cutoff = Self.seconds(millis: cutoffMillis)
        let bound = Int32(clamping: max(0, limit))
        return try query("trim stream records") { connection, logger in
            try await PostgresStreams.trimBatch(createdBefore: cutoff, limit: bound, on: connection, logger: logger)
        }
    }

    func dropDrainedStreamShards(closedBeforeMillis cutoffMillis: Int64) throws {
        let cutoff = Self.seconds(millis: cutoffMillis)
        try query("drop drained shards") { connection, logger in
            try await PostgresStreams.dropDrainedShards(closedBefore: cutoff, on: connection, logger: logger)
        }
    }

    func streamHasShards(streamID: Int64) throws -> Bool {
        try query("stream has shards") { connection, logger in
            try await PostgresStreams.hasShards(streamID: streamID, on: connection, logger: logger)
        }
    }

    // MARK: Helpers

    static func stored(_ row: ShardRow) -> StoredShard {
        StoredShard(
            shard: Int64(row.shard), parent: row.parent.map(Int64.init), openedMillis: millis(row.opened),
            startSequence: row.startSeq, endSequence: row.endSeq, trimmedSequence: row.trimmedSeq)
    }

    /// Milliseconds since 1970, as the engine sees stream times (SQLite stores them so).
    static func millis(_ seconds: Double) -> Int64 {
        let value = (seconds * 1000).rounded()
        // Stored times are this process's or another node's clock: never out of range, but
        // a conversion must not trap on a corrupt row.
        guard value.isFinite, abs(value) < 9.0e18 else { return 0 }
        return Int64(value)
    }

    /// The stored form of a time: whole milliseconds, in seconds (so `millis` gives them back).
    static func seconds(millis: Int64) -> Double {
        Double(millis) / 1000
    }
}

/// Records carried out of a blocking call.
private struct StreamRows: Sendable {
    var rows: [(seq: Int64, record: StreamRecordData)]
}
