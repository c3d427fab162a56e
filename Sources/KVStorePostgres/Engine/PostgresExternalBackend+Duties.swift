public import KVStore

/// Singleton duties on PostgreSQL (`SingletonDuty`): each runs on the one kvserver holding its
/// lease (`PostgresDutyLeases`: renewed every third of its lifetime, released at a clean
/// shutdown, taken over by another node once a dead holder's lifetime ran out), and every
/// transaction it opens is fenced by that lease (`PostgresDutyFence`).
extension PostgresExternalBackend {
    public func whileHolding(_ duty: SingletonDuty, _ body: () async throws -> Void) async throws -> Bool {
        guard let epoch = await leases.epoch(for: duty.rawValue) else { return false }
        let fence = PostgresDutyFence(lease: leases.lease(duty.rawValue), epoch: epoch)
        try await PostgresDutyFence.$current.withValue(fence) { try await body() }
        return true
    }

    /// Housekeeping, on its lease's holder: the rows of deleted tables
    /// (`PostgresTablePurge.purgeAll`, fenced batch by batch), bounded by the runner's
    /// `callTimeout` per table batch so a call that is never answered cannot stall the duty.
    public func maintain() async throws {
        let pool = runner.pool
        let timeout = runner.callTimeout
        _ = try await whileHolding(.housekeeping) {
            guard let fence = PostgresDutyFence.current else { return }
            let pending = try await Deadline.run("purge list", timeout: timeout) { try await PostgresTablePurge.pending(pool: pool) }
            for storageID in pending {
                while true {
                    try Task.checkCancellation()
                    let deleted = try await Deadline.run("purge batch", timeout: timeout) {
                        try await PostgresTablePurge.purgeBatch(storageID: storageID, pool: pool, fence: fence)
                    }
                    if deleted == 0 { break }
                }
            }
        }
    }
}
