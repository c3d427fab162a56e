#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The singleton-duty leases of one kvserver process (`PostgresLease`, a row of `kv_leases`
/// per duty): a keeper task per duty, started the first time the duty is asked for, tries to take
/// or renew its lease every third of the lease's lifetime, so a holder renews well within it,
/// and a free or expired lease is taken within a third of a lifetime by one of the nodes asking.
///
/// A node counts itself the holder only until its last successful renewal's lifetime runs out,
/// measured from before that renewal was sent (so never longer than the database thinks); a node
/// whose database is gone (its pool died) stops running the duty then, and another node takes
/// the lease once it expired in the database. Duty writes are fenced besides
/// (`PostgresDutyFence`): a holder that stalled past its lease writes nothing.
///
/// `releaseAll` (a clean shutdown) stops the keepers and expires the held leases at once, so
/// another node takes over without waiting for the lifetime to run out.
public final class PostgresDutyLeases: Sendable {
    public let pool: PostgresPool
    /// This process's name in `kv_leases.holder`: host, process id and a random part, so two
    /// processes (or two backends in one test process) never share one.
    public let holder: String
    public let ttlMilliseconds: Int64
    private let keepers = NIOLockedValueBox<[String: Keeper]>([:])
    private let stopped = NIOLockedValueBox(false)

    private struct Keeper {
        var task: Task<Void, Never>?
        /// The epoch held, and until when this node may count on it.
        var epoch: Int64?
        var validUntil: ContinuousClock.Instant?
    }

    /// The lifetime of a lease when nothing else is configured: a dead holder's duties are
    /// taken over within about this long.
    public static let defaultTTLMilliseconds: Int64 = 10_000

    public init(pool: PostgresPool, ttlMilliseconds: Int64 = defaultTTLMilliseconds, holder: String? = nil) {
        self.pool = pool
        self.ttlMilliseconds = max(300, ttlMilliseconds)
        self.holder = holder ?? Self.processHolderName()
    }

    /// The lease of `duty` as this process holds it.
    public func lease(_ duty: String) -> PostgresLease {
        PostgresLease(pool: pool, duty: duty, holder: holder, ttlMilliseconds: ttlMilliseconds)
    }

    /// The epoch in which this process holds `duty`, or nil when another process does (or the
    /// database cannot be reached). The first call for a duty tries to take it at once and
    /// starts its keeper.
    public func epoch(for duty: String) async -> Int64? {
        enum Step { case known(Int64?), start }
        let now = ContinuousClock.now
        let step: Step = keepers.withLockedValue { keepers in
            if let keeper = keepers[duty] {
                guard let epoch = keeper.epoch, let until = keeper.validUntil, now < until else { return .known(nil) }
                return .known(epoch)
            }
            keepers[duty] = Keeper()
            return .start
        }
        switch step {
        case .known(let epoch):
            return epoch
        case .start:
            guard !stopped.withLockedValue({ $0 }) else { return nil }
            await renew(duty)
            let task = Task { [self] in await keep(duty) }
            keepers.withLockedValue { $0[duty]?.task = task }
            // A `releaseAll` that ran meanwhile did not see this task.
            if stopped.withLockedValue({ $0 }) { task.cancel() }
            return keepers.withLockedValue { keepers in
                guard let keeper = keepers[duty], let epoch = keeper.epoch, let until = keeper.validUntil,
                    ContinuousClock.now < until
                else { return nil }
                return epoch
            }
        }
    }

    /// Stops every keeper and gives up the leases held (a clean shutdown), each release bounded
    /// by `timeout`: a database that does not answer leaves the leases to expire.
    public func releaseAll(timeout: Duration = .seconds(3)) async {
        stopped.withLockedValue { $0 = true }
        let all = keepers.withLockedValue { keepers in
            defer {
                for duty in keepers.keys { keepers[duty]?.epoch = nil }
            }
            return keepers
        }
        // Not awaited: a renewal stuck on a dead database must not hold the shutdown up (the
        // `stopped` flag keeps a late answer from counting).
        for keeper in all.values { keeper.task?.cancel() }
        let held = all.filter { $0.value.epoch != nil }.map(\.key)
        for duty in held {
            do {
                let lease = lease(duty)
                try await Deadline.run("lease release", timeout: timeout) { try await lease.release() }
            } catch {
                pool.logger.warning("kv.lease.release_failed", metadata: ["kv.duty": "\(duty)"])
            }
        }
    }

    /// Renews every third of the lifetime until cancelled.
    private func keep(_ duty: String) async {
        let interval = Duration.milliseconds(ttlMilliseconds / 3)
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await renew(duty)
        }
    }

    /// One attempt to take or renew `duty`'s lease; a failure counts as not holding it.
    private func renew(_ duty: String) async {
        let sent = ContinuousClock.now
        let epoch: Int64?
        do {
            // Bounded by the lifetime: an answer later than that could not be counted on (the
            // lease counts from `sent`), and a keeper stuck on a lost call would renew no more.
            let lease = lease(duty)
            epoch = try await Deadline.run("lease renewal", timeout: .milliseconds(ttlMilliseconds)) {
                try await lease.acquireOrRenew()
            }
        } catch {
            epoch = nil
            pool.logger.warning(
                "kv.lease.renew_failed", metadata: ["kv.duty": "\(duty)", "error.type": "\(String(reflecting: type(of: error)))"])
        }
        let before = keepers.withLockedValue { keepers -> Int64? in
            let before = keepers[duty]?.epoch
            // Stopped: the lease is being given up; never count it held again.
            if stopped.withLockedValue({ $0 }) { return before }
            keepers[duty]?.epoch = epoch
            keepers[duty]?.validUntil = epoch == nil ? nil : sent + .milliseconds(ttlMilliseconds)
            return before
        }
        if before != epoch {
            if let epoch {
                pool.logger.info("kv.lease.acquired", metadata: ["kv.duty": "\(duty)", "kv.lease.epoch": "\(epoch)"])
            } else if before != nil {
                pool.logger.info("kv.lease.lost", metadata: ["kv.duty": "\(duty)"])
            }
        }
    }

    private static func processHolderName() -> String {
        let host = ProcessInfo.processInfo.hostName
        let random = UUID().uuidString.lowercased().prefix(8)
        return "\(host)/\(ProcessInfo.processInfo.processIdentifier)/\(random)"
    }
}
