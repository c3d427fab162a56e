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
    /// (`PostgresTablePurge.purgeAll`, fenced batch by batch).
    public func maintain() async throws {
        let pool = runner.pool
        _ = try await whileHolding(.housekeeping) {
            try await PostgresTablePurge.purgeAll(pool: pool)
        }
    }
}
