#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RestoreTableToPointInTime.
extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
    /// The table as it was at `time` (or now, with `time` nil: UseLatestRestorableTime) goes into
    /// a new table: today's items with every change after `time` undone from the `ChangeLog`,
    /// read in one transaction into a temporary snapshot file, then restored like a backup.
    public func restoreTableToPointInTime(
        sourceTableName: String, targetTableName: String, time: Double?, overrides: RestoreOverrides
    ) async throws -> TableDescription {
        let source = try existingBackupSource(sourceTableName)
        guard let recovery = source.pointInTimeRecovery, recovery.enabled else {
            throw KVError(
                .pointInTimeRecoveryUnavailable, "Point in time recovery is not enabled for table '\(sourceTableName)'")
        }
        if catalog.table(named: targetTableName) != nil {
            throw KVError(.tableAlreadyExists, "Table already exists: \(targetTableName)")
        }
        let at = now()
        let restoreTime = time ?? at
        let earliest = recovery.earliestRestorable(now: at)
        // Timestamps travel with millisecond precision: EarliestRestorableDateTime sent back is allowed.
        guard restoreTime >= earliest - 0.001, restoreTime <= at else {
            throw KVError(
                .invalidRestoreTime,
                "Invalid restore time: the restore time must be between EarliestRestorableDateTime and LatestRestorableDateTime")
        }
        let path = backups.directory + "/restore-" + UUID().uuidString.lowercased() + ".items"
        defer { unlink(path) }
        let snapshot = try await writeSnapshot(of: sourceTableName, storageID: source.storageID, to: path, asOf: restoreTime)
        let summary = RestoreSummary(
            sourceBackupID: nil, sourceTableName: sourceTableName, restoreDate: restoreTime, inProgress: true)
        return try await restoreTable(
            named: targetTableName, from: snapshot.table, overrides: overrides, itemsPath: path, summary: summary)
    }
}
