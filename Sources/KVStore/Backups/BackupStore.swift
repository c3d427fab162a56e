#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// Where on-demand backups live: a directory with `<id>.json` (the `BackupRecord`) and
/// `<id>.items` (a `SnapshotFile`) per backup, plus the records in memory.
///
/// The items file is written first and the record last, so a record on disk always has its
/// items; leftovers of an interrupted backup (`.partial` files, items without a record) are
/// ignored and removed at start. The directory is `--backup-dir`, else `<data dir>/backups`;
/// in-memory servers keep it inside their memory directory, so backups last as long as the process.
final class BackupStore: Sendable {
    let directory: String
    private let records = Mutex<[String: BackupRecord]>([:])
    /// How many restores are reading each backup's items.
    private let restoring = Mutex<[String: Int]>([:])

    /// - Parameter files: whether backups are files here (SQLite); an external backend keeps
    ///   them in its database (`SharedBackups`), and this store only holds the backups this
    ///   process is creating and counts its restores (its directory takes temporary files).
    init(directory: String, files: Bool = true) throws {
        self.directory = directory
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw KVError.internalError("Cannot create the backup directory \(directory)")
        }
        guard files else { return }
        var loaded: [String: BackupRecord] = [:]
        let names = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        let decoder = JSONDecoder()
        for name in names where name.hasSuffix(".json") {
            let id = String(name.dropLast(".json".count))
            guard manager.fileExists(atPath: itemsPath(id)),
                let data = manager.contents(atPath: directory + "/" + name),
                let record = try? decoder.decode(BackupRecord.self, from: data)
            else { continue }
            loaded[record.id] = record
        }
        for name in names where name.hasSuffix(".partial") || (name.hasSuffix(".items") && loaded[String(name.dropLast(6))] == nil) {
            try? manager.removeItem(atPath: directory + "/" + name)
        }
        records.withLock { $0 = loaded }
    }

    func itemsPath(_ id: String) -> String { directory + "/" + id + ".items" }
    private func recordPath(_ id: String) -> String { directory + "/" + id + ".json" }

    func record(_ id: String) -> BackupRecord? {
        records.withLock { $0[id] }
    }

    func all() -> [BackupRecord] {
        records.withLock { Array($0.values) }
    }

    /// Registers a backup being created (in memory only, until `save`).
    func register(_ record: BackupRecord) {
        records.withLock { $0[record.id] = record }
    }

    /// Writes the record next to its items and makes it the current one.
    func save(_ record: BackupRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = recordPath(record.id) + ".partial"
        do {
            try encoder.encode(record).write(to: URL(fileURLWithPath: temporary))
            if FileManager.default.fileExists(atPath: recordPath(record.id)) {
                try FileManager.default.removeItem(atPath: recordPath(record.id))
            }
            try FileManager.default.moveItem(atPath: temporary, toPath: recordPath(record.id))
        } catch {
            throw KVError.internalError("Cannot write the backup record")
        }
        records.withLock { $0[record.id] = record }
    }

    /// Forgets a backup and removes its files (record first, so a crash leaves no half backup).
    func remove(_ id: String) {
        records.withLock { _ = $0.removeValue(forKey: id) }
        try? FileManager.default.removeItem(atPath: recordPath(id))
        try? FileManager.default.removeItem(atPath: itemsPath(id))
    }

    /// Whether a backup of table `tableName` is being created (the table may not be deleted meanwhile).
    func isCreating(tableName: String) -> Bool {
        records.withLock { $0.values.contains { $0.status == .creating && $0.table.name == tableName } }
    }

    /// Marks `id` deleted, unless it is being created, deleted or restored (BackupInUseException).
    /// - Parameter reference: the BackupArn the client gave, for messages.
    func claimForDeletion(_ id: String, reference: String) throws(KVError) -> BackupRecord {
        try records.withLock { records throws(KVError) in
            let record = try Self.available(records[id], restoring: restoring.withLock { $0[id] ?? 0 }, reference: reference)
            records[id]?.status = .deleted
            return record
        }
    }

    /// Counts a restore reading `id` (until `restoreFinished`), unless the backup is being created
    /// or deleted (BackupInUseException). Restores may share a backup.
    func claimForRestore(_ id: String, reference: String) throws(KVError) -> BackupRecord {
        try records.withLock { records throws(KVError) in
            let record = try Self.available(records[id], restoring: 0, reference: reference)
            restoring.withLock { $0[id, default: 0] += 1 }
            return record
        }
    }

    func restoreFinished(_ id: String) {
        restoring.withLock { counts in
            counts[id, default: 1] -= 1
            if counts[id] ?? 0 <= 0 { counts.removeValue(forKey: id) }
        }
    }

    /// Forgets a backup record kept in memory only (a backup stored in an external backend's
    /// database, once its transaction ended: `SharedBackups`).
    func forget(_ id: String) {
        records.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// A backup kept in an external backend's database, claimed by this process for a deletion
    /// (`forDeletion`) or a restore: BackupInUseException while this process creates it, or for
    /// a deletion while it restores from it; a restore is counted until `restoreFinished`.
    /// Other processes' restores are not seen (see `SharedBackups`).
    func claimShared(_ id: String, reference: String, forDeletion: Bool) throws(KVError) {
        try records.withLock { records throws(KVError) in
            if let record = records[id] {
                _ = try Self.available(record, restoring: 0, reference: reference)
            }
            if forDeletion {
                if restoring.withLock({ $0[id] ?? 0 }) > 0 {
                    throw KVError(.backupInUse, "Backup is being restored: \(reference)")
                }
            } else {
                restoring.withLock { $0[id, default: 0] += 1 }
            }
        }
    }

    /// "There is another ongoing conflicting backup control plane operation on the table. The
    /// backup is either being created, deleted or restored to a table."
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteBackup.html
    private static func available(_ record: BackupRecord?, restoring: Int, reference: String) throws(KVError) -> BackupRecord {
        guard let record else { throw KVError(.backupNotFound, "Backup not found: \(reference)") }
        switch record.status {
        case .creating: throw KVError(.backupInUse, "Backup is being created: \(reference)")
        case .deleted: throw KVError(.backupInUse, "Backup is being deleted: \(reference)")
        case .available where restoring > 0: throw KVError(.backupInUse, "Backup is being restored: \(reference)")
        case .available: return record
        }
    }

    /// A new backup id for a backup created at `now`: milliseconds since 1970 (13 digits) and 8 hex digits.
    static func newID(now: Double) -> String {
        var millis = String(Int64((now * 1000).rounded()))
        while millis.count < 13 { millis = "0" + millis }
        let random = UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(8)
        return millis + "-" + random
    }
}

extension KVEngine {
    /// `--backup-dir`, else `<data dir>/backups`, else (in memory) `backups` in the memory directory.
    static func backupDirectory(_ configuration: EngineConfiguration, memoryDirectory: String?) -> String {
        stateDirectory(configuration.backupDirectory, "backups", configuration, memoryDirectory: memoryDirectory)
    }

    /// `--export-dir`, else `<data dir>/exports`, else (in memory) `exports` in the memory directory.
    static func exportDirectory(_ configuration: EngineConfiguration, memoryDirectory: String?) -> String {
        stateDirectory(configuration.exportDirectory, "exports", configuration, memoryDirectory: memoryDirectory)
    }

    private static func stateDirectory(
        _ configured: String?, _ name: String, _ configuration: EngineConfiguration, memoryDirectory: String?
    ) -> String {
        if let configured, !configured.isEmpty { return configured }
        if let data = configuration.dataDirectory {
            return (data.hasSuffix("/") ? data : data + "/") + name
        }
        return (memoryDirectory ?? "/tmp") + "/" + name
    }
}
