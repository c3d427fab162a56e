import CSQLite

/// The writer: one thread owning the read-write connection and running jobs in FIFO order.
///
/// Consecutive `write` jobs are coalesced into one group commit (see `runGroup`); `exclusive`
/// jobs and, in memory mode, `read` jobs run alone. The thread sleeps on a condition while the
/// queue is empty.
final class Writer: Sendable {
    /// The most jobs committed by one transaction, bounding how long a group holds the lock and
    /// how much work one failed COMMIT can take down.
    static let maxGroupSize = 256

    private struct Queue: Sendable {
        var jobs: [WorkerJob] = []
        var isClosing = false
    }

    private struct Lifecycle: Sendable {
        var isOpen = false
        var openError: (any Error)?
        var hasExited = false
        var statistics = Statistics()
    }

    /// Counters for tests and metrics.
    struct Statistics: Sendable, Equatable {
        /// Write groups that committed.
        var committedGroups = 0
        /// Write jobs acknowledged as committed.
        var committedWrites = 0
    }

    /// Waited on by the writer thread only.
    private let queue = ConditionLock(Queue())
    /// The writer's connection, lent for point reads between batches.
    let lender = WriterConnectionLender()
    /// Waited on by `init` (until the connection is open) and `waitUntilExited`.
    private let lifecycle = ConditionLock(Lifecycle())

    /// Starts the thread and waits until it has opened its connection.
    ///
    /// - Parameter open: opens and configures the connection, on the writer thread.
    /// - Throws: the error of `open`; the thread has then exited.
    /// - Parameter onGroupCommit: told of each committed write group: its writes and the seconds
    ///   from BEGIN to the end of COMMIT (see `EngineObservers.groupCommitted`).
    init(
        owner: Int, onGroupCommit: (@Sendable (Int, Double) -> Void)? = nil,
        open: @escaping @Sendable () throws -> Connection
    ) throws {
        let queue = self.queue
        let lifecycle = self.lifecycle
        let lender = self.lender
        try WorkerThread.start(name: "sqlite-writer", owner: owner) {
            Writer.main(queue: queue, lifecycle: lifecycle, lender: lender, onGroupCommit: onGroupCommit, open: open)
        }
        let error = lifecycle.wait(until: { $0.isOpen || $0.hasExited }) { $0.openError }
        if let error { throw error }
    }

    /// Queues a job, or rejects it once the writer is closing.
    func submit(_ job: WorkerJob) {
        let accepted = queue.withLockSignal { queue in
            guard !queue.isClosing else { return false }
            queue.jobs.append(job)
            return true
        }
        if !accepted {
            job.reject(SQLiteError.closed)
        }
    }

    /// Jobs queued and not yet taken by the writer thread.
    var pendingCount: Int {
        queue.withLock { $0.jobs.count }
    }

    var statistics: Statistics {
        lifecycle.withLock { $0.statistics }
    }

    /// Stops accepting jobs: the thread finishes the queued ones, closes its connection and exits.
    func stop() {
        queue.withLockBroadcast { $0.isClosing = true }
    }

    /// Blocks until the thread has exited.
    func waitUntilExited() {
        lifecycle.wait(until: { $0.hasExited }) { _ in }
    }

    // MARK: The writer thread

    private static func main(
        queue: ConditionLock<Queue>,
        lifecycle: ConditionLock<Lifecycle>,
        lender: WriterConnectionLender,
        onGroupCommit: (@Sendable (Int, Double) -> Void)?,
        open: @Sendable () throws -> Connection
    ) {
        let connection: Connection
        do {
            connection = try open()
        } catch {
            queue.withLock { $0.isClosing = true }
            lifecycle.withLockBroadcast {
                $0.openError = error
                $0.hasExited = true
            }
            return
        }
        lender.publish(connection)
        lifecycle.withLockBroadcast { $0.isOpen = true }

        while let batch = nextBatch(queue) {
            let notRun = lender.hold {
                run(batch, on: connection, lifecycle: lifecycle, onGroupCommit: onGroupCommit)
            }
            if !notRun.isEmpty {
                queue.withLock { $0.jobs.insert(contentsOf: notRun, at: 0) }
            }
        }
        lender.withdraw()
        connection.close()
        lifecycle.withLockBroadcast { $0.hasExited = true }
    }

    /// Sleeps until there is work; returns the next batch, or nil once closing and drained.
    ///
    /// A batch is the run of consecutive `write` jobs at the head of the queue (at most
    /// `maxGroupSize`), or a single job of another kind.
    private static func nextBatch(_ queue: ConditionLock<Queue>) -> [WorkerJob]? {
        queue.wait(until: { !$0.jobs.isEmpty || $0.isClosing }) { queue in
            guard let first = queue.jobs.first else { return nil }
            var count = 1
            if first.kind == .write {
                let limit = min(queue.jobs.count, maxGroupSize)
                while count < limit, queue.jobs[count].kind == .write {
                    count += 1
                }
            }
            let batch = Array(queue.jobs.prefix(count))
            queue.jobs.removeFirst(count)
            return batch
        }
    }

    /// Runs one batch; returns the jobs that were not run and must go back to the queue head.
    private static func run(
        _ batch: [WorkerJob],
        on connection: Connection,
        lifecycle: ConditionLock<Lifecycle>,
        onGroupCommit: (@Sendable (Int, Double) -> Void)? = nil
    ) -> ArraySlice<WorkerJob> {
        switch batch[0].kind {
        case .write:
            let started = onGroupCommit == nil ? nil : ContinuousClock.now
            return runGroup(batch, on: connection) { committed in
                lifecycle.withLock {
                    $0.statistics.committedGroups += 1
                    $0.statistics.committedWrites += committed
                }
                if let onGroupCommit, let started {
                    let elapsed = ContinuousClock.now - started
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                    onGroupCommit(committed, seconds)
                }
            }
        case .exclusive:
            runExclusive(batch[0], on: connection)
        case .read:
            // Reads go to the reader threads; one here is a programming error, not a read.
            batch[0].reject(SQLiteError(code: SQLITE_MISUSE, message: "a read was submitted to the writer"))
        }
        return []
    }

    /// Group commit: BEGIN IMMEDIATE, each job in its own savepoint, COMMIT, then resume callers.
    ///
    /// A job that throws is rolled back to its savepoint and gets its error; the others are
    /// unaffected. Callers are resumed only after COMMIT, so a write is acknowledged only once
    /// durable (to the configured `synchronous` level). If COMMIT fails, every job gets its error.
    /// If the transaction itself is lost part-way (SQLite rolls back on SQLITE_FULL, SQLITE_IOERR
    /// and a few more, or a body ran COMMIT/ROLLBACK itself), the jobs run so far get an error
    /// and the jobs not yet run are returned, to run in the next group.
    private static func runGroup(
        _ jobs: [WorkerJob],
        on connection: Connection,
        didCommit: (_ writes: Int) -> Void
    ) -> ArraySlice<WorkerJob> {
        do {
            try connection.statement("BEGIN IMMEDIATE").run()
        } catch {
            for job in jobs { job.reject(error) }
            return []
        }
        if jobs.count == 1 {
            runAlone(jobs[0], on: connection, didCommit: didCommit)
            return []
        }

        var done: [JobOutcome] = []
        done.reserveCapacity(jobs.count)
        for (index, job) in jobs.enumerated() {
            do {
                try connection.statement("SAVEPOINT kv_job").run()
            } catch {
                abandon(done, cause: error, on: connection)
                job.reject(error)
                return jobs[(index + 1)...]
            }
            let outcome = job.perform(connection)
            connection.resetActiveStatements()
            do {
                guard connection.isInTransaction else { throw SQLiteError.transactionLost }
                if outcome.error != nil {
                    try connection.statement("ROLLBACK TO kv_job").run()
                }
                try connection.statement("RELEASE kv_job").run()
            } catch {
                abandon(done, cause: outcome.error ?? error, on: connection)
                if outcome.error != nil {
                    outcome.resume()
                } else {
                    outcome.resume(throwing: error)
                }
                return jobs[(index + 1)...]
            }
            done.append(outcome)
        }

        do {
            try connection.statement("COMMIT").run()
        } catch {
            rollback(connection)
            for outcome in done { outcome.resume(throwing: error) }
            return []
        }
        didCommit(done.lazy.filter { $0.error == nil }.count)
        for outcome in done { outcome.resume() }
        return []
    }

    /// A group of one, in the transaction `runGroup` began: the transaction is the job's own, so
    /// it needs no savepoint (two statements fewer; the common case on a lightly loaded server).
    private static func runAlone(_ job: WorkerJob, on connection: Connection, didCommit: (_ writes: Int) -> Void) {
        let outcome = job.perform(connection)
        connection.resetActiveStatements()
        if outcome.error != nil {
            rollback(connection)
            outcome.resume()
            return
        }
        do {
            guard connection.isInTransaction else { throw SQLiteError.transactionLost }
            try connection.statement("COMMIT").run()
        } catch {
            rollback(connection)
            outcome.resume(throwing: (error as? SQLiteError) ?? SQLiteError.transactionLost)
            return
        }
        didCommit(1)
        outcome.resume()
    }

    /// Rolls back a broken group and fails the jobs already run in it.
    private static func abandon(_ done: [JobOutcome], cause: any Error, on connection: Connection) {
        rollback(connection)
        let error = (cause as? SQLiteError) ?? SQLiteError.transactionLost
        for outcome in done { outcome.resume(throwing: error) }
    }

    private static func rollback(_ connection: Connection) {
        connection.resetActiveStatements()
        if connection.isInTransaction {
            try? connection.execute("ROLLBACK")
        }
    }

    /// Runs a job outside any transaction; a transaction it leaves open is rolled back.
    private static func runExclusive(_ job: WorkerJob, on connection: Connection) {
        let outcome = job.perform(connection)
        connection.resetActiveStatements()
        if connection.isInTransaction {
            rollback(connection)
            if outcome.error == nil {
                outcome.resume(throwing: SQLiteError.transactionLeftOpen)
                return
            }
        }
        outcome.resume()
    }
}

extension SQLiteError {
    /// The group transaction ended before COMMIT; its writes were rolled back.
    static let transactionLost = SQLiteError(
        code: SQLITE_ABORT,
        message: "the write transaction was rolled back before commit; retry the write")

    /// An `exclusive` body returned with a transaction still open; it was rolled back.
    static let transactionLeftOpen = SQLiteError(
        code: SQLITE_MISUSE,
        message: "an exclusive body left a transaction open; it was rolled back")
}
