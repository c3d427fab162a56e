/// The schema step of stream triggers (issue #18: event source mappings on PostgreSQL), kept
/// apart from `PostgresSchema.migrations`' other steps so that it can be renumbered on its own.
///
/// On-disk format (never change silently), the SQLite adapter's (`SQLiteTriggerStorage`) in
/// PostgreSQL's types:
/// - `kv_trigger_mappings(uuid, definition)`: `definition` is the JSON of `EventSourceMapping`.
/// - `kv_trigger_checkpoints(uuid, stream_id, shard, after_seq, finished)`: per mapping and
///   shard, the last acknowledged sequence number (the shard's own numbering, `kv_shards.next_seq`),
///   and true once a closed shard has been read to its end. Written by the holder of
///   `SingletonDuty.streamTriggers` only, fenced by its lease (`PostgresTriggerStorage`).
enum PostgresTriggerSchema {
    static let version = 3

    static let migration = PostgresMigration(version: version, statements: [
        """
        CREATE TABLE kv_trigger_mappings (
            uuid text COLLATE "C" PRIMARY KEY,
            definition text NOT NULL
        )
        """,
        """
        CREATE TABLE kv_trigger_checkpoints (
            uuid text COLLATE "C" NOT NULL,
            stream_id bigint NOT NULL,
            shard integer NOT NULL,
            after_seq bigint NOT NULL,
            finished boolean NOT NULL DEFAULT false,
            PRIMARY KEY (uuid, stream_id, shard)
        )
        """,
    ])
}
