/// One step of the PostgreSQL schema: the statements that take a database from `version - 1`
/// to `version`, run in one transaction (PostgreSQL's DDL is transactional).
public struct PostgresMigration: Sendable {
    public let version: Int
    public let statements: [String]

    public init(version: Int, statements: [String]) {
        self.version = version
        self.statements = statements
    }
}

/// The PostgreSQL layout of the kvstore data, versioned in `kv_schema_version`.
///
/// On-disk format (never change silently; append a migration instead). It mirrors the SQLite
/// adapter's (`Sources/KVStore/Storage/Schema.swift`), with every DynamoDB table's rows in shared
/// tables keyed by `storage_id`, so that CreateTable needs no DDL:
/// - `kv_tables(name, storage_id, definition)`: the catalog; `definition` is `TableDefinition`'s JSON.
/// - `kv_items(storage_id, h, pk, sk, size, item)`, primary key `(storage_id, h, pk, sk)`: `h` is
///   KVStore's `PartitionHash` of `pk` (Scan order and parallel-scan segments), `pk`/`sk` are
///   `KeyEncoding` bytes (`sk` empty without a sort key), `item` is `ItemCodec` bytes. `bytea`
///   compares as memcmp, then shorter first, exactly as SQLite's BLOBs: PostgreSQL's order of
///   `(h, pk, sk)` is the engine's, hence DynamoDB's, whatever the database's collation.
/// - `kv_index_items(storage_id, index_no, h, pk, sk, tpk, tsk, size, item)`: secondary index rows
///   (`pk`/`sk` the index key, `tpk`/`tsk` the table key, `item` the projection).
/// - `kv_expiry(storage_id, expires, h, pk, sk)`: the TTL expiry index, by expiry second.
/// - `kv_shards(stream_id, shard, ..., next_seq)` and `kv_stream_records(stream_id, shard, seq, ...)`:
///   stream records numbered per shard, gap-free, from the shard row's `next_seq` (see
///   `PostgresStreams`).
/// - `kv_transaction_tokens(token, fingerprint, created)`: TransactWriteItems idempotency tokens.
/// - `kv_backfill(storage_id, index_no, h, pk, sk)`: how far a GSI backfill has gone.
/// - `kv_leases(duty, holder, epoch, expires)`: which node runs each singleton duty (`PostgresLease`).
/// - `kv_dropped_tables(storage_id, dropped)` (version 2): deleted tables whose rows are still
///   being purged, in batches, in the background (`PostgresTablePurge`).
/// - `kv_trigger_mappings` and `kv_trigger_checkpoints` (version 3): stream triggers' mappings
///   and per-shard checkpoints (`PostgresTriggerSchema`).
/// - Version 4: backups and the point-in-time recovery change log (`backupsAndRecovery`).
public enum PostgresSchema {
    public static let migrations: [PostgresMigration] = [
        PostgresMigration(version: 1, statements: [
            """
            CREATE TABLE kv_tables (
                name text COLLATE "C" PRIMARY KEY,
                storage_id bigint NOT NULL UNIQUE,
                definition text NOT NULL
            )
            """,
            "CREATE SEQUENCE kv_storage_ids",
            """
            CREATE TABLE kv_items (
                storage_id bigint NOT NULL,
                h bigint NOT NULL,
                pk bytea NOT NULL,
                sk bytea NOT NULL,
                size integer NOT NULL,
                item bytea NOT NULL,
                PRIMARY KEY (storage_id, h, pk, sk)
            )
            """,
            """
            CREATE TABLE kv_index_items (
                storage_id bigint NOT NULL,
                index_no integer NOT NULL,
                h bigint NOT NULL,
                pk bytea NOT NULL,
                sk bytea NOT NULL,
                tpk bytea NOT NULL,
                tsk bytea NOT NULL,
                size integer NOT NULL,
                item bytea NOT NULL,
                PRIMARY KEY (storage_id, index_no, h, pk, sk, tpk, tsk)
            )
            """,
            """
            CREATE TABLE kv_expiry (
                storage_id bigint NOT NULL,
                expires bigint NOT NULL,
                h bigint NOT NULL,
                pk bytea NOT NULL,
                sk bytea NOT NULL,
                PRIMARY KEY (storage_id, expires, h, pk, sk)
            )
            """,
            """
            CREATE TABLE kv_shards (
                stream_id bigint NOT NULL,
                shard integer NOT NULL,
                parent integer,
                opened double precision NOT NULL,
                closed double precision,
                start_seq bigint NOT NULL,
                end_seq bigint,
                trimmed_seq bigint NOT NULL DEFAULT 0,
                next_seq bigint NOT NULL,
                PRIMARY KEY (stream_id, shard)
            )
            """,
            """
            CREATE TABLE kv_stream_records (
                stream_id bigint NOT NULL,
                shard integer NOT NULL,
                seq bigint NOT NULL,
                created double precision NOT NULL,
                event smallint NOT NULL,
                service smallint NOT NULL,
                size integer NOT NULL,
                keys bytea NOT NULL,
                old bytea,
                new bytea,
                PRIMARY KEY (stream_id, shard, seq)
            )
            """,
            """
            CREATE TABLE kv_transaction_tokens (
                token text COLLATE "C" PRIMARY KEY,
                fingerprint text NOT NULL,
                created bigint NOT NULL
            )
            """,
            """
            CREATE TABLE kv_backfill (
                storage_id bigint NOT NULL,
                index_no integer NOT NULL,
                h bigint,
                pk bytea,
                sk bytea,
                PRIMARY KEY (storage_id, index_no)
            )
            """,
            """
            CREATE TABLE kv_leases (
                duty text COLLATE "C" PRIMARY KEY,
                holder text NOT NULL,
                epoch bigint NOT NULL,
                expires timestamptz NOT NULL
            )
            """,
        ]),
        PostgresMigration(version: 2, statements: [
            // Deleted tables whose rows are still to be purged (`PostgresTablePurge`).
            """
            CREATE TABLE kv_dropped_tables (
                storage_id bigint PRIMARY KEY,
                dropped double precision NOT NULL
            )
            """,
        ]),
        PostgresTriggerSchema.migration,
        // Backups and point-in-time recovery (PostgresBackupSchema.swift).
        backupsAndRecovery,
    ]

    /// The newest version this build knows.
    public static var currentVersion: Int { migrations.last?.version ?? 0 }
}
