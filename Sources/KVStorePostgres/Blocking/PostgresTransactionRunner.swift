import NIOPosix
import PostgresNIO

/// Runs the engine's synchronous transaction bodies against PostgreSQL, on threads of its own.
///
/// Each body runs on one of the runner's threads (a `NIOThreadPool`; never an event loop, never
/// the Swift cooperative pool), inside one PostgreSQL transaction on one pooled connection, and
/// each call it makes on its `PostgresBlockingTransaction` blocks that thread until PostgreSQL
/// answers (see `Blocking` for why that cannot deadlock). The body's return commits; its throw
/// rolls back and is rethrown, conflicts (SQLSTATE 40001/40P01/55P03, lost inserts) as
/// `PostgresConflict`; a connection lost during COMMIT is `commitOutcomeUnknown`.
///
/// Size `threads` like the pool: a transaction holds its thread and its connection from BEGIN
/// to COMMIT, so more threads than connections only queue on the pool.
public final class PostgresTransactionRunner: Sendable {
    public let pool: PostgresPool
    /// The bound of every wait for PostgreSQL (a pooled connection, each statement, COMMIT):
    /// past it the connection is closed (the server rolls back) and the call fails with
    /// `PostgresStorageError.timedOut`, so that a dead server or connection never hangs a thread.
    public let callTimeout: Duration
    private let threads: NIOThreadPool

    /// Marks a thread while it runs a transaction: one thread, one transaction at a time.
    static let current = ThreadSpecificVariable<TransactionThreadMarker>()

    public init(pool: PostgresPool, threads: Int? = nil, callTimeout: Duration = .seconds(30)) {
        self.pool = pool
        self.callTimeout = callTimeout
        self.threads = NIOThreadPool(numberOfThreads: max(1, threads ?? pool.settings.poolSize))
        self.threads.start()
    }

    /// Stops the threads once the transactions under way have ended.
    public func shutdown() async throws {
        try await threads.shutdownGracefully()
    }

    /// Runs `body` in one transaction on one of the runner's threads, for async callers (the
    /// server's request handlers): the calling task is suspended, holding no thread.
    public func run<Result: Sendable>(
        _ mode: PostgresTransactionMode, rerun: PostgresRerun = .never,
        _ body: @escaping @Sendable (PostgresBlockingTransaction) throws -> Result
    ) async throws -> Result {
        try await threads.runIfActive { try self.runHere(mode, rerun: rerun, body) }
    }

    /// Runs `body` in one transaction on one of the runner's threads, blocking the calling
    /// thread (neither an event loop's nor a task's: refused with an error) until it ends.
    public func runBlocking<Result: Sendable>(
        _ mode: PostgresTransactionMode, rerun: PostgresRerun = .never,
        _ body: @escaping @Sendable (PostgresBlockingTransaction) throws -> Result
    ) throws -> Result {
        try Blocking.refuseNonBlockingContext()
        if Self.current.currentValue != nil {
            throw PostgresStorageError.transactionMisuse("a transaction begun inside another one on the same thread")
        }
        let result = BlockingResult<Result>()
        threads.submit { state in
            guard case .active = state else {
                result.complete(.failure(NIOThreadPoolError.ThreadPoolInactive()))
                return
            }
            result.complete(Swift.Result { try self.runHere(mode, rerun: rerun, body) })
        }
        // The body's own calls are bounded; the whole transaction is not (it may queue on locks).
        guard let outcome = result.wait(timeout: nil) else {
            throw PostgresStorageError.unexpected("an unbounded wait timed out")
        }
        return try outcome.get()
    }

    /// One transaction (run again per `rerun`), on the calling thread: a runner thread.
    private func runHere<Result>(
        _ mode: PostgresTransactionMode, rerun: PostgresRerun,
        _ body: (PostgresBlockingTransaction) throws -> Result
    ) throws -> Result {
        var attempt = 1
        while true {
            do {
                return try once(mode, body)
            } catch {
                guard attempt < rerun.attempts, rerun.reruns(after: error) else { throw error }
                attempt += 1
            }
        }
    }

    /// One pooled connection for one run of `body`: a `.read` body runs first without a
    /// transaction and, when it asks for a second statement, again inside one on the same
    /// connection (see `PostgresTransactionOpening`).
    private func once<Result>(
        _ mode: PostgresTransactionMode, _ body: (PostgresBlockingTransaction) throws -> Result
    ) throws -> Result {
        if Self.current.currentValue != nil {
            throw PostgresStorageError.transactionMisuse("a transaction begun inside another one on the same thread")
        }
        let marker = TransactionThreadMarker()
        Self.current.currentValue = marker
        defer { Self.current.currentValue = nil }

        var held = try HeldConnection.acquire(from: pool, timeout: callTimeout)
        // The pool may hand out a connection the server ended while it sat idle; nothing was
        // sent on it yet, so another one is taken (a few times at most).
        for _ in 0..<3 where held.connection.isClosed {
            held.release(closing: true)
            held = try HeldConnection.acquire(from: pool, timeout: callTimeout)
        }
        var closing = false
        defer { held.release(closing: closing) }
        var opening: PostgresTransactionOpening =
            mode == .read ? .autocommit : .pending(mode.opening)
        while true {
            let transaction = PostgresBlockingTransaction(
                connection: held.connection, logger: pool.logger, mode: mode, opening: opening, marker: marker,
                callTimeout: callTimeout)
            defer {
                transaction.end()
                closing = closing || transaction.unsound
            }
            do {
                return try complete(transaction, body, closing: &closing)
            } catch is SnapshotNeeded {
                // Nothing was begun: the body runs again, now inside a snapshot.
                opening = .pending(mode.opening)
            }
        }
    }

    /// Runs `body` in `transaction` and ends it: COMMIT on return, ROLLBACK on a throw (when
    /// BEGIN was sent). Sets `closing` when the connection must not go back to the pool.
    private func complete<Result>(
        _ transaction: PostgresBlockingTransaction, _ body: (PostgresBlockingTransaction) throws -> Result,
        closing: inout Bool
    ) throws -> Result {
        let result: Result
        do {
            result = try body(transaction)
            // Whatever the body did with the refusal of its second statement.
            if transaction.needsSnapshot { throw SnapshotNeeded() }
            try transaction.appendStreamRecords()
        } catch {
            if transaction.needsSnapshot {
                // A first statement that timed out (and was swallowed) leaves the connection
                // unusable for the rerun: the read fails as the statement did.
                if transaction.unsound { throw PostgresStorageError.timedOut("a read") }
                throw SnapshotNeeded()
            }
            throw abandon(transaction, after: error, closing: &closing)
        }
        guard transaction.needsCommit else { return result }
        do {
            // The queued writes and stream appends, then COMMIT: one blocking call.
            try transaction.commitQueued()
        } catch let failure as NotCommitted {
            throw abandon(transaction, after: failure.error, closing: &closing)
        } catch {
            // After an error answered by the server the connection is sound (and out of the
            // transaction); after any other failure its state is unknown.
            closing = !PostgresStorageError.isServerAnswer(error)
            throw PostgresStorageError.commitFailure(error)
        }
        return result
    }

    /// Rolls back after `error` (before COMMIT was sent) and answers what to throw.
    private func abandon(
        _ transaction: PostgresBlockingTransaction, after error: any Error, closing: inout Bool
    ) -> any Error {
        // A broken connection fails the ROLLBACK too; the server rolls back on disconnect,
        // and the connection is closed rather than handed to the next transaction.
        if case PostgresStorageError.timedOut = error {
            // A statement may still be running: the ROLLBACK would queue behind it.
            closing = true
        } else if case PostgresStorageError.connectionLost = error {
            closing = true
        } else if transaction.began {
            do {
                try transaction.rollback()
            } catch {
                closing = true
            }
        }
        return PostgresConflict.classify(error) ?? error
    }
}

/// The mark of a thread running a transaction (its identity ties a transaction to its thread).
final class TransactionThreadMarker: Sendable {}
