/// On-demand backups kept in an external backend's database (the PostgreSQL adapter), so that
/// every kvserver sharing the database sees the same backups: one made through node A is
/// listed, described, restored and deleted through node B. SQLite keeps its backups as files
/// beside the database instead (`BackupStore`).
///
/// A backup is its record (`BackupRecord`, with the source table's definition) and a copy of
/// the table's items, numbered from 1 in key order. Only AVAILABLE backups are stored: a
/// backup being created lives in the creating process until its one transaction commits
/// record and items together, so a process that dies mid-copy leaves nothing behind.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BackupRestore.html
public protocol ExternalBackupStorage {
    /// Copies every item of `table` (its stored rows, in key order) into backup `record.id` and
    /// stores `record` as AVAILABLE with the copy's item count and size and the table's
    /// definition as stored: all in this transaction, from one snapshot of the table. Calls
    /// `pinned` once that snapshot is taken (later writes cannot change the copy).
    ///
    /// Must be the first call of its write transaction (the backend may need to choose the
    /// transaction's isolation before its first statement).
    /// - Throws: `KVError(.tableNotFound)` when the table is gone (or was created again).
    func createBackup(_ record: BackupRecord, of table: TableDefinition, pinned: () -> Void) throws -> BackupRecord

    /// The stored backup `id`, nil when there is none.
    func backupRecord(id: String) throws -> BackupRecord?

    /// Every stored backup, in id order.
    func backupRecords() throws -> [BackupRecord]

    /// Deletes backup `id`, record and items; returns its record, nil when there was none.
    func deleteBackup(id: String) throws -> BackupRecord?

    /// Up to `limit` items of backup `id` numbered after `sequence`, in order; nil when the
    /// backup does not exist (any more: a restore reading it must fail, not end early).
    func backupItems(id: String, after sequence: Int64, limit: Int) throws -> [StoredBackupItem]?
}

/// One item of a stored backup: its number in the backup, DynamoDB size and `ItemCodec` bytes.
public struct StoredBackupItem: Sendable {
    public var sequence: Int64
    public var size: Int
    public var item: [UInt8]

    public init(sequence: Int64, size: Int, item: [UInt8]) {
        self.sequence = sequence
        self.size = size
        self.item = item
    }
}

extension ExternalBackupStorage {
    /// Default: a backend without backup storage refuses on-demand backups.
    public func createBackup(_ record: BackupRecord, of table: TableDefinition, pinned: () -> Void) throws -> BackupRecord {
        throw KVError.unsupportedByBackend("on-demand backups")
    }

    public func backupRecord(id: String) throws -> BackupRecord? { nil }

    public func backupRecords() throws -> [BackupRecord] { [] }

    public func deleteBackup(id: String) throws -> BackupRecord? { nil }

    public func backupItems(id: String, after sequence: Int64, limit: Int) throws -> [StoredBackupItem]? { nil }
}
