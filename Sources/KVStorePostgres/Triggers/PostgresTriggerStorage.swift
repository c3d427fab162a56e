#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KVStore
import PostgresNIO

/// Stream triggers' mappings and checkpoints on PostgreSQL (`TriggerStorage`), in the tables of
/// `PostgresTriggerSchema`, shared by every kvserver over the database: a mapping created
/// through one node is loaded by the others (`TriggerRunner` re-reads them), and the one node
/// holding `SingletonDuty.streamTriggers` delivers and checkpoints.
///
/// Checkpoints count in each shard's own numbers (`kv_shards.next_seq`, see
/// `PostgresExternalStreams`), not in a global sequence as SQLite's. A checkpoint write runs in
/// the duty's fenced transaction (`PostgresDutyFence`: a node that lost the lease commits
/// nothing), and besides never moves a checkpoint back nor revives a deleted mapping's.
extension PostgresExternalTransaction {
    /// The tables come with the schema (`PostgresMigrator`, before the engine opens).
    func prepareTriggerStorage() throws {}

    func triggerMappings() throws -> [EventSourceMapping] {
        let texts = try query("trigger mappings") { connection, logger in
            var texts: [String] = []
            let rows = try await connection.query("SELECT definition FROM kv_trigger_mappings ORDER BY uuid", logger: logger)
            for try await text in rows.decode(String.self) { texts.append(text) }
            return texts
        }
        let decoder = JSONDecoder()
        return try texts.map { try decoder.decode(EventSourceMapping.self, from: Data($0.utf8)) }
    }

    func saveTriggerMapping(_ mapping: EventSourceMapping) throws {
        let text = String(decoding: try JSONEncoder().encode(mapping), as: UTF8.self)
        let uuid = mapping.uuid
        try query("save trigger mapping") { connection, logger in
            try await connection.query(
                """
                INSERT INTO kv_trigger_mappings (uuid, definition) VALUES (\(uuid), \(text))
                ON CONFLICT (uuid) DO UPDATE SET definition = excluded.definition
                """, logger: logger)
            return ()
        }
    }

    /// Open shards after the last number committed in them (a record whose transaction commits
    /// later is delivered), closed ones as finished at their end. A checkpoint already there is
    /// kept: the same mapping saved as new by two nodes at once (a triggers file read by both)
    /// must not skip what the first one's checkpoint still has to deliver.
    func checkpointTriggerAtStreamEnd(uuid: String, streamID: Int64) throws {
        try query("trigger checkpoint at stream end") { connection, logger in
            try await connection.query(
                """
                INSERT INTO kv_trigger_checkpoints (uuid, stream_id, shard, after_seq, finished)
                SELECT \(uuid), stream_id, shard, CASE WHEN closed IS NULL THEN next_seq - 1 ELSE end_seq END,
                    closed IS NOT NULL
                FROM kv_shards WHERE stream_id = \(streamID)
                ON CONFLICT (uuid, stream_id, shard) DO NOTHING
                """, logger: logger)
            return ()
        }
    }

    func deleteTriggerMapping(uuid: String) throws {
        try query("delete trigger mapping") { connection, logger in
            try await connection.query("DELETE FROM kv_trigger_mappings WHERE uuid = \(uuid)", logger: logger)
            try await connection.query("DELETE FROM kv_trigger_checkpoints WHERE uuid = \(uuid)", logger: logger)
            return ()
        }
    }

    func triggerCheckpoints(uuid: String, streamID: Int64) throws -> [Int64: TriggerCheckpoint] {
        try query("trigger checkpoints") { connection, logger in
            var result: [Int64: TriggerCheckpoint] = [:]
            let rows = try await connection.query(
                """
                SELECT shard, after_seq, finished FROM kv_trigger_checkpoints
                WHERE uuid = \(uuid) AND stream_id = \(streamID)
                """, logger: logger)
            for try await (shard, after, finished) in rows.decode((Int32, Int64, Bool).self) {
                result[Int64(shard)] = TriggerCheckpoint(afterSequence: after, finished: finished)
            }
            return result
        }
    }

    /// Moves a checkpoint forward only (a late write of an earlier position, e.g. from a node
    /// that was overtaken, keeps the later one), and only while the mapping exists (a worker
    /// finishing after a DeleteEventSourceMapping on another node leaves no row behind).
    func saveTriggerCheckpoint(uuid: String, streamID: Int64, shard: Int64, _ checkpoint: TriggerCheckpoint) throws {
        guard let number = Int32(exactly: shard) else {
            throw PostgresStorageError.unexpected("a shard number beyond 32 bits")
        }
        let after = checkpoint.afterSequence
        let finished = checkpoint.finished
        try query("save trigger checkpoint") { connection, logger in
            try await connection.query(
                """
                INSERT INTO kv_trigger_checkpoints AS c (uuid, stream_id, shard, after_seq, finished)
                SELECT \(uuid), \(streamID), \(number), \(after), \(finished)
                WHERE EXISTS (SELECT 1 FROM kv_trigger_mappings WHERE uuid = \(uuid))
                ON CONFLICT (uuid, stream_id, shard) DO UPDATE SET
                    after_seq = GREATEST(c.after_seq, excluded.after_seq), finished = c.finished OR excluded.finished
                """, logger: logger)
            return ()
        }
    }
}
