/// Schema step 4 (on-demand backups and point-in-time recovery on PostgreSQL), kept apart from
/// the others so that steps added on other branches renumber cleanly.
///
/// On-disk format (never change silently; append a migration instead):
/// - `kv_backups(id, table_name, created, record)`: one row per AVAILABLE on-demand backup;
///   `record` is `BackupRecord`'s JSON (with the source table's definition), `id` the end of
///   the BackupArn (`PostgresBackups`).
/// - `kv_backup_items(backup_id, seq, size, item)`: the backup's copy of the table's items,
///   numbered from 1 in the table's key order, `item` `ItemCodec` bytes as in `kv_items`.
/// - `kv_change_log(storage_id, seq, at, h, pk, sk, old)`: point-in-time recovery's history,
///   one row per change to an item of a table with PITR enabled, written in the item's
///   transaction: the item as it was before (`old`, NULL when it did not exist), the change's
///   time `at` in milliseconds since 1970, `seq` from `kv_change_log_seq` (`PostgresChangeLog`).
extension PostgresSchema {
    static let backupsAndRecovery = PostgresMigration(version: 4, statements: [
        """
        CREATE TABLE kv_backups (
            id text COLLATE "C" PRIMARY KEY,
            table_name text COLLATE "C" NOT NULL,
            created double precision NOT NULL,
            record text NOT NULL
        )
        """,
        """
        CREATE TABLE kv_backup_items (
            backup_id text COLLATE "C" NOT NULL,
            seq bigint NOT NULL,
            size integer NOT NULL,
            item bytea NOT NULL,
            PRIMARY KEY (backup_id, seq)
        )
        """,
        "CREATE SEQUENCE kv_change_log_seq",
        """
        CREATE TABLE kv_change_log (
            storage_id bigint NOT NULL,
            seq bigint NOT NULL DEFAULT nextval('kv_change_log_seq'),
            at bigint NOT NULL,
            h bigint NOT NULL,
            pk bytea NOT NULL,
            sk bytea NOT NULL,
            old bytea,
            PRIMARY KEY (storage_id, seq)
        )
        """,
        "CREATE INDEX kv_change_log_at ON kv_change_log (storage_id, at)",
    ])
}
