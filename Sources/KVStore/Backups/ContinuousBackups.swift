/// A table's continuous backups as DescribeContinuousBackups shows them.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ContinuousBackupsDescription.html
public struct ContinuousBackupsState: Sendable {
    /// nil or disabled: PointInTimeRecoveryStatus DISABLED.
    public var pointInTimeRecovery: PointInTimeRecoveryDefinition?
    public var earliestRestorable: Double?
    public var latestRestorable: Double?
}

/// UpdateContinuousBackups and DescribeContinuousBackups, and trimming the change logs.
extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
    /// Enabling creates the table's `ChangeLog` and starts the window now; re-enabling an enabled
    /// table only changes its recovery period. Disabling drops the history.
    public func updateContinuousBackups(
        tableName: String, enabled: Bool, recoveryPeriodInDays: Int?
    ) async throws -> ContinuousBackupsState {
        let table = try existingBackupSource(tableName)
        let at = now()
        let catalog = self.catalog
        let updated = try await storage.write { connection in
            var current = try catalog.current(table)
            let previous = current.pointInTimeRecovery
            if enabled {
                let period = recoveryPeriodInDays ?? previous?.recoveryPeriodInDays ?? PointInTimeRecoveryDefinition.defaultRecoveryPeriodInDays
                let since = previous?.enabled == true ? previous?.enabledAt ?? at : at
                current.pointInTimeRecovery = PointInTimeRecoveryDefinition(enabled: true, enabledAt: since, recoveryPeriodInDays: period)
                try connection.createChangeLog(of: current)
            } else {
                current.pointInTimeRecovery = previous.map {
                    PointInTimeRecoveryDefinition(enabled: false, enabledAt: $0.enabledAt, recoveryPeriodInDays: $0.recoveryPeriodInDays)
                }
                try connection.dropChangeLog(of: current)
            }
            try connection.saveTableDefinition(current)
            catalog.put(current)
            return current
        }
        return Self.continuousBackups(of: updated, now: at)
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html
    public func describeContinuousBackups(tableName: String) throws(KVError) -> ContinuousBackupsState {
        Self.continuousBackups(of: try existingBackupSource(tableName), now: now())
    }

    static func continuousBackups(of table: TableDefinition, now: Double) -> ContinuousBackupsState {
        guard let recovery = table.pointInTimeRecovery, recovery.enabled else {
            return ContinuousBackupsState(pointInTimeRecovery: table.pointInTimeRecovery)
        }
        // A local server restores to any second up to now: no few-minute lag as in DynamoDB.
        return ContinuousBackupsState(
            pointInTimeRecovery: recovery, earliestRestorable: recovery.earliestRestorable(now: now), latestRestorable: now)
    }

    /// The table a backup operation names, or TableNotFoundException (these operations answer
    /// that instead of ResourceNotFoundException).
    func existingBackupSource(_ name: String) throws(KVError) -> TableDefinition {
        guard let table = catalog.table(named: name) else {
            throw KVError(.tableNotFound, "Table not found: \(name)")
        }
        return table
    }

    /// Deletes change-log history older than each table's recovery period (a maintenance job).
    func trimChangeLogs() async throws {
        let at = now()
        for name in catalog.allNames() {
            guard let table = catalog.table(named: name), let recovery = table.pointInTimeRecovery, recovery.enabled else { continue }
            let cutoff = at - Double(recovery.recoveryPeriodInDays) * 86_400
            try await storage.write { connection in
                let current = try self.catalog.current(table)
                guard current.pointInTimeRecovery?.enabled == true else { return }
                try connection.trimChangeLog(of: current, beforeMillis: ChangeLog.milliseconds(cutoff))
            }
        }
    }
}
