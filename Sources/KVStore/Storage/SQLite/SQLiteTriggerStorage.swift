#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Trigger mappings and checkpoints in SQLite.
///
/// On-disk format (never change silently), created on first use:
/// - `kv_trigger_mappings(uuid TEXT PRIMARY KEY, definition TEXT)`: `definition` is the JSON of
///   `EventSourceMapping`.
/// - `kv_trigger_checkpoints(uuid, stream_id, shard, after_seq, finished)`: per mapping and shard,
///   the last acknowledged sequence number, and 1 once a closed shard has been read to its end.
extension Connection: TriggerStorage {
    func prepareTriggerStorage() throws {
        try execute(
            """
            CREATE TABLE IF NOT EXISTS kv_trigger_mappings (
                uuid TEXT PRIMARY KEY,
                definition TEXT NOT NULL
            ) WITHOUT ROWID
            """)
        try execute(
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

    func triggerMappings() throws -> [EventSourceMapping] {
        let statement = try self.statement("SELECT definition FROM kv_trigger_mappings ORDER BY uuid")
        defer { statement.reset() }
        var result: [EventSourceMapping] = []
        let decoder = JSONDecoder()
        while try statement.step() {
            result.append(try decoder.decode(EventSourceMapping.self, from: Data(statement.text(0).utf8)))
        }
        return result
    }

    func saveTriggerMapping(_ mapping: EventSourceMapping) throws {
        let text = String(decoding: try JSONEncoder().encode(mapping), as: UTF8.self)
        let save = try self.statement(
            "INSERT INTO kv_trigger_mappings (uuid, definition) VALUES (?, ?) ON CONFLICT(uuid) DO UPDATE SET definition = excluded.definition")
        defer { save.reset() }
        try save.bind(1, mapping.uuid)
        try save.bind(2, text)
        try save.run()
    }

    func checkpointTriggerAtStreamEnd(uuid: String, streamID: Int64) throws {
        let last = try lastStreamSequence()
        let insert = try self.statement(
            """
            INSERT OR REPLACE INTO kv_trigger_checkpoints (uuid, stream_id, shard, after_seq, finished)
            SELECT ?1, stream_id, shard, CASE WHEN closed IS NULL THEN ?2 ELSE end_seq END,
                CASE WHEN closed IS NULL THEN 0 ELSE 1 END
            FROM kv_shards WHERE stream_id = ?3
            """)
        defer { insert.reset() }
        try insert.bind(1, uuid)
        try insert.bind(2, last)
        try insert.bind(3, streamID)
        try insert.run()
    }

    func deleteTriggerMapping(uuid: String) throws {
        for sql in ["DELETE FROM kv_trigger_mappings WHERE uuid = ?", "DELETE FROM kv_trigger_checkpoints WHERE uuid = ?"] {
            let statement = try self.statement(sql)
            defer { statement.reset() }
            try statement.bind(1, uuid)
            try statement.run()
        }
    }

    func triggerCheckpoints(uuid: String, streamID: Int64) throws -> [Int64: TriggerCheckpoint] {
        let statement = try self.statement(
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

    func saveTriggerCheckpoint(uuid: String, streamID: Int64, shard: Int64, _ checkpoint: TriggerCheckpoint) throws {
        let statement = try self.statement(
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
