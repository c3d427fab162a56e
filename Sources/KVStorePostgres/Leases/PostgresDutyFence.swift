public import PostgresNIO

/// The lease a singleton duty runs under, carried as a task-local value from
/// `PostgresExternalBackend.whileHolding` to every transaction the duty opens, which checks it
/// first (`check`): a node that lost the lease (stalled past its lifetime, another node took
/// over) commits nothing, and the lease row stays share-locked until the duty's transaction ends,
/// so no takeover happens while a duty write is under way.
public struct PostgresDutyFence: Sendable {
    public let lease: PostgresLease
    public let epoch: Int64

    public init(lease: PostgresLease, epoch: Int64) {
        self.lease = lease
        self.epoch = epoch
    }

    /// The fence of the duty the current task runs, if any.
    @TaskLocal public static var current: PostgresDutyFence?

    /// Throws `PostgresLeaseLost` unless this node still holds the lease in `epoch`; call first
    /// in the duty's transaction on `connection`.
    public func check(on connection: PostgresConnection) async throws {
        guard try await lease.fence(epoch: epoch, on: connection) else {
            throw PostgresLeaseLost(duty: lease.duty, epoch: epoch)
        }
    }

    /// `check` in a blocking transaction (the engine's transaction bodies).
    func check(in transaction: PostgresBlockingTransaction) throws {
        let fence = self
        try transaction.run("lease fence") { connection, _ in try await fence.check(on: connection) }
    }
}

/// A duty's transaction found that this node no longer holds the duty's lease in the epoch it
/// started with: the transaction is rolled back, and the duty stops until the lease is held again.
public struct PostgresLeaseLost: Error, Sendable, Equatable, CustomStringConvertible {
    public let duty: String
    public let epoch: Int64

    public init(duty: String, epoch: Int64) {
        self.duty = duty
        self.epoch = epoch
    }

    public var description: String { "The lease of duty \(duty) (epoch \(epoch)) is no longer held by this node." }
}
