import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// ListBackups' filters and page. See
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListBackups.html
public struct BackupListQuery: Sendable {
    public var tableName: String?
    /// Inclusive.
    public var createdFrom: Double?
    /// Exclusive.
    public var createdBefore: Double?
    public var kinds: Set<BackupRecord.Kind>
    public var limit: Int?
    /// The backup id after which the page starts (`ExclusiveStartBackupArn`).
    public var exclusiveStartID: String?

    public init(
        tableName: String? = nil, createdFrom: Double? = nil, createdBefore: Double? = nil,
        kinds: Set<BackupRecord.Kind> = Set(BackupRecord.Kind.allCases), limit: Int? = nil, exclusiveStartID: String? = nil
    ) {
        self.tableName = tableName
        self.createdFrom = createdFrom
        self.createdBefore = createdBefore
        self.kinds = kinds
        self.limit = limit
        self.exclusiveStartID = exclusiveStartID
    }
}

/// CreateBackup, DescribeBackup, ListBackups, DeleteBackup and RestoreTableFromBackup.
/// Backups are identified by id (the end of their ARN); `reference` is what the client sent,
/// for messages.
extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateBackup.html
    /// Answers CREATING once the snapshot's read transaction has begun (so the backup holds the
    /// table as of the request); the items are copied in the background, on a reader connection,
    /// so writers go on meanwhile, and the backup turns AVAILABLE when its files are complete.
    /// - Throws: TableInUseException while the table is being created (restored or imported).
    public func createBackup(tableName: String, backupName: String) async throws -> BackupRecord {
        guard let table = catalog.table(named: tableName) else {
            throw KVError(.tableNotFound, "Table not found: \(tableName)")
        }
        if table.isLoadingItems {
            throw KVError(.tableInUse, "Table is being created: \(tableName)")
        }
        // Milliseconds, as the wire shows it, so time-range filters compare what clients saw.
        let created = (now() * 1000).rounded(.down) / 1000
        let record = BackupRecord(
            id: BackupStore.newID(now: created), name: backupName, status: .creating, kind: .user,
            creationDate: created, sizeBytes: 0, itemCount: 0, table: table)
        backups.register(record)
        if case .external = storage {
            try await createSharedBackup(record, of: table)
            return record
        }
        let backups = self.backups
        let logger = self.logger
        try await jobs.start(
            untilReady: { [self] ready in
                let snapshot = try await writeSnapshot(
                    of: tableName, storageID: table.storageID, to: backups.itemsPath(record.id), pinned: ready)
                var finished = record
                finished.table = snapshot.table
                finished.itemCount = snapshot.itemCount
                finished.sizeBytes = snapshot.sizeBytes
                finished.status = .available
                try backups.save(finished)
            },
            failed: { _ in
                logger.error("kv.backup.failed", metadata: ["kv.table": "\(tableName)"])
                backups.remove(record.id)
            })
        return record
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeBackup.html
    public func describeBackup(id: String, reference: String) async throws -> BackupRecord {
        guard let record = try await backupRecord(id) else { throw KVError(.backupNotFound, "Backup not found: \(reference)") }
        return record
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListBackups.html
    /// Oldest first; `lastEvaluatedID` is set when more backups match past the page.
    public func listBackups(_ query: BackupListQuery) async throws -> (backups: [BackupRecord], lastEvaluatedID: String?) {
        let matching = try await allBackupRecords()
            .filter { record in
                (query.tableName == nil || record.table.name == query.tableName)
                    && (query.createdFrom.map { record.creationDate >= $0 } ?? true)
                    && (query.createdBefore.map { record.creationDate < $0 } ?? true)
                    && query.kinds.contains(record.kind)
                    && (query.exclusiveStartID.map { record.id > $0 } ?? true)
            }
            .sorted { $0.id < $1.id }
        guard let limit = query.limit, matching.count > limit else { return (matching, nil) }
        let page = Array(matching.prefix(limit))
        return (page, page.last?.id)
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteBackup.html
    /// - Returns: the backup with status DELETED.
    /// - Throws: BackupInUseException while the backup is being created or restored.
    public func deleteBackup(id: String, reference: String) async throws -> BackupRecord {
        if case .external = storage { return try await deleteSharedBackup(id: id, reference: reference) }
        var record = try backups.claimForDeletion(id, reference: reference)
        backups.remove(id)
        record.status = .deleted
        return record
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableFromBackup.html
    /// Creates the table (CREATING, `RestoreInProgress`) and answers; the items are written in
    /// the background, and the table turns ACTIVE when they are all in.
    public func restoreTableFromBackup(
        id: String, reference: String, targetTableName: String, overrides: RestoreOverrides
    ) async throws -> TableDescription {
        if case .external = storage {
            return try await restoreSharedBackup(id: id, reference: reference, targetTableName: targetTableName, overrides: overrides)
        }
        let record = try backups.claimForRestore(id, reference: reference)
        let created: TableDescription
        do {
            created = try await createTableFromBackup(record, named: targetTableName, overrides: overrides)
        } catch {
            backups.restoreFinished(id)
            throw error
        }
        let path = backups.itemsPath(id)
        jobs.start { [self] in
            defer { backups.restoreFinished(id) }
            await loadRestoredTable(created.definition, from: path)
        }
        return created
    }
}
