#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a mapping stands in one shard.
public struct TriggerCheckpoint: Sendable, Equatable {
    /// Every record up to this sequence number has been acknowledged.
    public var afterSequence: Int64
    /// The shard is closed and every record of it acknowledged.
    public var finished: Bool
}

/// One shard of a stream as the pollers need it.
public struct TriggerShard: Sendable, Equatable {
    public var shard: Int64
    public var parent: Int64?
    public var shardID: String
    public var startSequence: Int64
    /// Set once the shard is closed.
    public var endSequence: Int64?
    public var trimmedSequence: Int64
}

/// Mappings and checkpoints, stored in the database beside the streams so that a restart
/// resumes after the last acknowledged batch (at-least-once delivery).
///
/// On-disk format (never change silently), created on first use:
/// - `kv_trigger_mappings(uuid TEXT PRIMARY KEY, definition TEXT)`: `definition` is the JSON of
///   `EventSourceMapping`.
/// - `kv_trigger_checkpoints(uuid, stream_id, shard, after_seq, finished)`: per mapping and shard,
///   the last acknowledged sequence number, and 1 once a closed shard has been read to its end.
extension KVEngine {
    /// Creates the trigger tables if they are missing (idempotent). Allowed on a full disk
    /// (where the server must still start): once the tables exist this writes nothing.
    public func prepareTriggerStore() async throws {
        try await database.write(.freesSpace) { connection in
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS kv_trigger_mappings (
                    uuid TEXT PRIMARY KEY,
                    definition TEXT NOT NULL
                ) WITHOUT ROWID
                """)
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS kv_trigger_checkpoints (
                    uuid TEXT NOT NULL,
                    stream_id INTEGER NOT NULL,
                    shard INTEGER NOT NULL,
                    after_seq INTEGER NOT NULL,
                    finished INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (uuid, stream_id, shard)
                ) WITHOUT ROWID
                """)
        }
    }

    public func loadTriggerMappings() async throws -> [EventSourceMapping] {
        try await database.read { connection in
            let statement = try connection.statement("SELECT definition FROM kv_trigger_mappings ORDER BY uuid")
            defer { statement.reset() }
            var result: [EventSourceMapping] = []
            let decoder = JSONDecoder()
            while try statement.step() {
                result.append(try decoder.decode(EventSourceMapping.self, from: Data(statement.text(0).utf8)))
            }
            return result
        }
    }

    /// Saves a mapping. A new mapping starting at LATEST gets checkpoints at the current end of
    /// every shard of its stream, in the same transaction, so only later changes are delivered.
    public func saveTriggerMapping(_ mapping: EventSourceMapping, isNew: Bool) async throws {
        let stream = triggerStream(of: mapping)
        let text = String(decoding: try JSONEncoder().encode(mapping), as: UTF8.self)
        try await database.write { connection in
            let save = try connection.statement(
                "INSERT INTO kv_trigger_mappings (uuid, definition) VALUES (?, ?) ON CONFLICT(uuid) DO UPDATE SET definition = excluded.definition")
            defer { save.reset() }
            try save.bind(1, mapping.uuid)
            try save.bind(2, text)
            try save.run()
            guard isNew, mapping.startingPosition == .latest, let stream else { return }
            let latest = try connection.statement("SELECT COALESCE(MAX(seq), 0) FROM kv_stream_records")
            defer { latest.reset() }
            _ = try latest.step()
            let last = latest.int64(0)
            latest.reset()
            let insert = try connection.statement(
                """
                INSERT OR REPLACE INTO kv_trigger_checkpoints (uuid, stream_id, shard, after_seq, finished)
                SELECT ?1, stream_id, shard, CASE WHEN closed IS NULL THEN ?2 ELSE end_seq END,
                    CASE WHEN closed IS NULL THEN 0 ELSE 1 END
                FROM kv_shards WHERE stream_id = ?3
                """)
            defer { insert.reset() }
            try insert.bind(1, mapping.uuid)
            try insert.bind(2, last)
            try insert.bind(3, stream.id)
            try insert.run()
        }
    }

    /// Deletes a mapping and its checkpoints.
    public func deleteTriggerMapping(uuid: String) async throws {
        try await database.write { connection in
            for sql in ["DELETE FROM kv_trigger_mappings WHERE uuid = ?", "DELETE FROM kv_trigger_checkpoints WHERE uuid = ?"] {
                let statement = try connection.statement(sql)
                defer { statement.reset() }
                try statement.bind(1, uuid)
                try statement.run()
            }
        }
    }

    /// The stream a mapping reads, if its table and stream still exist.
    public func triggerStream(of mapping: EventSourceMapping) -> StreamDefinition? {
        catalog.table(named: mapping.tableName)?.streams.first { $0.label == mapping.streamLabel }
    }

    /// The label of a table's latest stream (what `TableName` in the triggers file names).
    public func latestStreamLabel(tableName: String) -> String? {
        catalog.table(named: tableName)?.streams.last?.label
    }

    func triggerCheckpoints(uuid: String, streamID: Int64) async throws -> [Int64: TriggerCheckpoint] {
        try await database.read { connection in
            let statement = try connection.statement(
                "SELECT shard, after_seq, finished FROM kv_trigger_checkpoints WHERE uuid = ? AND stream_id = ?")
            defer { statement.reset() }
            try statement.bind(1, uuid)
            try statement.bind(2, streamID)
            var result: [Int64: TriggerCheckpoint] = [:]
            while try statement.step() {
                result[statement.int64(0)] = TriggerCheckpoint(afterSequence: statement.int64(1), finished: statement.int64(2) != 0)
            }
            return result
        }
    }

    func saveTriggerCheckpoint(uuid: String, streamID: Int64, shard: Int64, _ checkpoint: TriggerCheckpoint) async throws {
        try await database.write { connection in
            let statement = try connection.statement(
                "INSERT OR REPLACE INTO kv_trigger_checkpoints (uuid, stream_id, shard, after_seq, finished) VALUES (?, ?, ?, ?, ?)")
            defer { statement.reset() }
            try statement.bind(1, uuid)
            try statement.bind(2, streamID)
            try statement.bind(3, shard)
            try statement.bind(4, checkpoint.afterSequence)
            try statement.bind(5, checkpoint.finished ? 1 : 0)
            try statement.run()
        }
    }

    func triggerShards(streamID: Int64) async throws -> [TriggerShard] {
        try await database.read { connection in
            let statement = try connection.statement(
                "SELECT shard, parent, opened, start_seq, end_seq, closed, trimmed_seq FROM kv_shards WHERE stream_id = ? ORDER BY shard")
            defer { statement.reset() }
            try statement.bind(1, streamID)
            var result: [TriggerShard] = []
            while try statement.step() {
                let shard = statement.int64(0)
                result.append(
                    TriggerShard(
                        shard: shard, parent: statement.isNull(1) ? nil : statement.int64(1),
                        shardID: StreamCodec.shardID(shard: shard, openedMillis: statement.int64(2)),
                        startSequence: statement.int64(3), endSequence: statement.isNull(5) ? nil : statement.int64(4),
                        trimmedSequence: statement.int64(6)))
            }
            return result
        }
    }

    /// Up to `limit` records of a shard after a sequence number, through the Streams read path.
    func triggerRecords(streamID: Int64, shard: Int64, after: Int64, limit: Int) async throws -> [StreamRecord] {
        var result: [StreamRecord] = []
        var position = after
        while result.count < limit {
            let issued = Int64((now() * 1000).rounded())
            let iterator = ShardIterator(streamID: streamID, shard: shard, afterSequence: position, issuedMillis: issued)
            let page = try await records(iterator: iterator.encoded, limit: min(limit - result.count, Self.maxRecordsPerCall))
            guard let last = page.records.last, let sequence = StreamCodec.sequence(from: last.sequenceNumber) else { break }
            result += page.records
            position = sequence
            if page.nextIterator == nil { break }
        }
        return result
    }

    /// The current time of the engine's clock.
    public var currentTime: Double { now() }
}
