import Logging
import NIOConcurrencyHelpers
import PostgresNIO

/// The read replica of `--storage-replica`: a PostgreSQL standby (streaming replication from
/// the primary) that serves eventually consistent reads (`ReadConsistency.eventual`: GetItem,
/// BatchGetItem, Query and Scan with `ConsistentRead` false, every read of a global secondary
/// index), with a pool and a transaction runner of its own. See docs/postgres-backend.md,
/// "Read replica".
///
/// A replica that fails is left out, not waited for: the read that found it failing is run
/// again on the primary, and so are the reads after it (`ReplicaHealth`), while a recheck
/// connects every `recheckInterval` until the replica answers as a standby again. The outage is
/// logged once, its end once; never item values (`failureSummary`).
public final class PostgresReplica: Sendable {
    public let runner: PostgresTransactionRunner
    /// The pause between rechecks of a replica that failed.
    public let recheckInterval: Duration
    private let poolTask: Task<Void, Never>
    private let health = NIOLockedValueBox(ReplicaHealth())
    private let recheck = NIOLockedValueBox<Task<Void, Never>?>(nil)
    private let closed = NIOLockedValueBox(false)
    private let logger: Logger

    /// Starts the replica's pool and runner.
    ///
    /// - Parameters:
    ///   - callTimeout: the bound of every wait for the replica (a connection, a statement):
    ///     shorter than the primary's, because a read past it is run again on the primary, and
    ///     postgres-nio's pool waits for a connection to a stopped server until that bound.
    ///   - recheckInterval: how often a failed replica is tried again.
    public init(pool: PostgresPool, callTimeout: Duration = .seconds(5), recheckInterval: Duration = .seconds(2)) {
        self.poolTask = Task { await pool.run() }
        self.runner = PostgresTransactionRunner(pool: pool, callTimeout: callTimeout)
        self.recheckInterval = recheckInterval
        self.logger = pool.logger
    }

    /// Whether eventually consistent reads should try the replica now.
    public var isServing: Bool {
        health.withLockedValue { $0.isServing }
    }

    /// A read on the replica succeeded.
    func readSucceeded() {
        // The common case costs one uncontended lock.
        perform(health.withLockedValue { $0.readSucceeded() }, failure: nil)
    }

    /// A read on the replica failed for a reason of the replica's: it stops serving until a
    /// recheck finds it answering.
    func readFailed(_ error: any Error) {
        perform(health.withLockedValue { $0.readFailed() }, failure: error)
    }

    private func perform(_ action: ReplicaHealth.Action, failure: (any Error)?) {
        let settings = runner.pool.settings
        switch action {
        case .none:
            return
        case .announceDownAndRecheck:
            logger.warning(
                "kv.storage.replica.down",
                metadata: [
                    "kv.storage.replica": "\(settings)", "kv.error": "\(failure.map(Self.failureSummary) ?? "")",
                    "kv.reads": "eventually consistent reads go to the primary until the replica answers again",
                ])
            startRecheck()
        case .recheck:
            startRecheck()
        case .announceServing:
            logger.info("kv.storage.replica.serving", metadata: ["kv.storage.replica": "\(settings)"])
        }
    }

    /// Connects every `recheckInterval` until the replica answers as a standby, then lets reads
    /// try it again.
    private func startRecheck() {
        let settings = runner.pool.settings
        let interval = recheckInterval
        let timeout = runner.callTimeout
        let logger = logger
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                do {
                    // A direct connection: it fails at once on a refused connection, where the
                    // pool would keep a caller waiting; bounded for a host that never answers.
                    _ = try await Deadline.run("replica recheck", timeout: timeout) {
                        try await PostgresProbe.checkReplica(settings, logger: logger)
                    }
                    self.perform(self.health.withLockedValue { $0.recheckPassed() }, failure: nil)
                    return
                } catch {
                    continue
                }
            }
        }
        let previous = recheck.withLockedValue { current in
            defer { current = task }
            return current
        }
        previous?.cancel()
        if closed.withLockedValue({ $0 }) { task.cancel() }
    }

    /// Stops the recheck, the runner's threads (after their transactions), then the pool.
    public func close() async {
        guard closed.withLockedValue({ closed in defer { closed = true }; return !closed }) else { return }
        recheck.withLockedValue { $0 }?.cancel()
        try? await runner.shutdown()
        poolTask.cancel()
        _ = await poolTask.value
    }

    /// What a log line may say of a replica failure: the kind of failure and PostgreSQL's
    /// SQLSTATE, never a message that could quote a value.
    static func failureSummary(_ error: any Error) -> String {
        if let error = error as? PostgresStorageError { return error.description }
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState].map { ", SQLSTATE \($0)" } ?? ""
            return "PostgreSQL error \(error.code)\(state)"
        }
        return String(describing: type(of: error))
    }
}

/// Thrown inside a read on the replica when its catalog does not (yet) hold the table the
/// engine reads, as the engine knows it (created, or deleted and created again, moments ago
/// on the primary): the read is run on the primary instead, which decides whether the table
/// exists. A lagging replica never makes a table look missing.
struct ReplicaCatalogBehind: Error {}
