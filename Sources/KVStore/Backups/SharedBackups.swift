import Logging

/// On-demand backups on an external backend (PostgreSQL): kept in the shared database
/// (`ExternalBackupStorage`), not in files, so every kvserver on that database lists, describes,
/// restores and deletes the same backups whichever node made them.
///
/// A backup being created is in this process's `BackupStore` (CREATING) until the one
/// transaction that copies the table's items and stores the record commits; other nodes see it
/// from then on, AVAILABLE. A restore reads the backup in batches, each its own read
/// transaction, and fails (dropping its table) when the backup was deleted meanwhile.
/// BackupInUseException covers what this process is doing with a backup; a restore running on
/// another node does not stop a DeleteBackup here (that restore then fails).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BackupRestore.html
extension KVEngine {
    /// Items per read transaction of a restore from a shared backup.
    static let sharedRestoreBatchSize = 200

    /// CreateBackup's work: answers once the copy's snapshot is taken, then copies in the
    /// background (`BackgroundJobs`).
    func createSharedBackup(_ record: BackupRecord, of table: TableDefinition) async throws {
        let backups = self.backups
        let logger = self.logger
        try await jobs.start(
            untilReady: { [self] ready in
                defer { backups.forget(record.id) }
                var stored = record
                stored.status = .available
                let copy = stored
                _ = try await storage.write { transaction in
                    try transaction.externalBackups().createBackup(copy, of: table, pinned: ready)
                }
            },
            failed: { _ in
                logger.error("kv.backup.failed", metadata: ["kv.table": "\(table.name)"])
                backups.forget(record.id)
            })
    }

    /// A backup's record: one this process is creating, else the stored one.
    func backupRecord(_ id: String) async throws -> BackupRecord? {
        if let record = backups.record(id) { return record }
        guard case .external = storage else { return nil }
        return try await storage.read { transaction in try transaction.externalBackups().backupRecord(id: id) }
    }

    /// Every backup: the ones this process is creating and the stored ones.
    func allBackupRecords() async throws -> [BackupRecord] {
        let local = backups.all()
        guard case .external = storage else { return local }
        let stored = try await storage.read { transaction in try transaction.externalBackups().backupRecords() }
        let localIDs = Set(local.map(\.id))
        return local + stored.filter { !localIDs.contains($0.id) }
    }

    /// DeleteBackup on an external backend.
    func deleteSharedBackup(id: String, reference: String) async throws -> BackupRecord {
        try backups.claimShared(id, reference: reference, forDeletion: true)
        let deleted = try await storage.write { transaction in try transaction.externalBackups().deleteBackup(id: id) }
        guard var record = deleted else { throw KVError(.backupNotFound, "Backup not found: \(reference)") }
        record.status = .deleted
        return record
    }

    /// RestoreTableFromBackup on an external backend: the table is created (CREATING) before
    /// the answer; its items are read from the database and written in the background.
    func restoreSharedBackup(
        id: String, reference: String, targetTableName: String, overrides: RestoreOverrides
    ) async throws -> TableDescription {
        try backups.claimShared(id, reference: reference, forDeletion: false)
        let created: TableDescription
        do {
            guard let record = try await backupRecord(id) else {
                throw KVError(.backupNotFound, "Backup not found: \(reference)")
            }
            created = try await createTableFromBackup(record, named: targetTableName, overrides: overrides)
        } catch {
            backups.restoreFinished(id)
            throw error
        }
        jobs.start { [self] in
            defer { backups.restoreFinished(id) }
            do {
                try await writeSharedBackupItems(id, into: created.definition)
                try await finishLoading(created.definition)
            } catch {
                await abandonLoading(created.definition)
            }
        }
        return created
    }

    /// The items of stored backup `id` into the table being restored, a batch per transaction.
    private func writeSharedBackupItems(_ id: String, into definition: TableDefinition) async throws {
        var after: Int64 = 0
        while true {
            let from = after
            let batch = try await storage.read { transaction in
                try transaction.externalBackups().backupItems(id: id, after: from, limit: Self.sharedRestoreBatchSize)
            }
            guard let batch else { throw KVError(.backupNotFound, "Backup not found: \(id)") }
            guard let last = batch.last else { return }
            try await writeRestoredItems(batch.map { ($0.item, $0.size) }, into: definition)
            after = last.sequence
            if batch.count < Self.sharedRestoreBatchSize { return }
        }
    }
}

extension StorageTransaction {
    /// The external backend's backup storage (SQLite keeps backups in files: `BackupStore`).
    func externalBackups() throws -> any ExternalBackupStorage {
        guard case .external(let transaction) = self else { throw KVError.internalError("Backups are files on SQLite") }
        return transaction
    }
}
