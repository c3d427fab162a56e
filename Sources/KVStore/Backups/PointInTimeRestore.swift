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
    /// read in one transaction into a temporary snapshot file, then restored like a backup. The
    /// table is created (CREATING) before the answer; the rest happens in the background.
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
        let summary = RestoreSummary(
            sourceBackupID: nil, sourceTableName: sourceTableName, restoreDate: restoreTime, inProgress: true)
        let created = try await createRestoredTable(named: targetTableName, from: source, overrides: overrides, summary: summary)
        let path = backups.directory + "/restore-" + UUID().uuidString.lowercased() + ".items"
        try await jobs.start(
            untilReady: { [self] ready in
                defer { unlink(path) }
                _ = try await writeSnapshot(
                    of: sourceTableName, storageID: source.storageID, to: path, asOf: restoreTime, pinned: ready)
                try await writeSnapshotItems(from: path, into: created.definition)
                try await finishLoading(created.definition)
            },
            failed: { [self] _ in await abandonLoading(created.definition) })
        return created
    }
}
