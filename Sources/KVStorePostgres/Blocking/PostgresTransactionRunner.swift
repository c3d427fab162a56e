public import NIOPosix

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

    private func once<Result>(
        _ mode: PostgresTransactionMode, _ body: (PostgresBlockingTransaction) throws -> Result
    ) throws -> Result {
        if Self.current.currentValue != nil {
            throw PostgresStorageError.transactionMisuse("a transaction begun inside another one on the same thread")
        }
        let marker = TransactionThreadMarker()
        Self.current.currentValue = marker
        defer { Self.current.currentValue = nil }

        let held = try HeldConnection.acquire(from: pool, timeout: callTimeout)
        let transaction = PostgresBlockingTransaction(
            connection: held.connection, logger: pool.logger, mode: mode, marker: marker, callTimeout: callTimeout)
        var closing = false
        defer {
            transaction.end()
            held.release(closing: closing)
        }
        let result: Result
        do {
            try transaction.execute(mode.begin)
            if let milliseconds = mode.lockTimeoutMilliseconds {
                // SET takes no bind parameters; the value is a validated integer.
                try transaction.execute("SET LOCAL lock_timeout = \(max(1, milliseconds))")
            }
            result = try body(transaction)
            try transaction.appendStreamRecords()
        } catch {
            // A broken connection fails the ROLLBACK too; the server rolls back on disconnect,
            // and the connection is closed rather than handed to the next transaction.
            if case PostgresStorageError.timedOut = error {
                // A statement may still be running: the ROLLBACK would queue behind it.
                closing = true
            } else {
                do {
                    try transaction.execute("ROLLBACK")
                } catch {
                    closing = true
                }
            }
            throw PostgresConflict.classify(error) ?? error
        }
        do {
            try transaction.execute("COMMIT")
        } catch {
            // After an error answered by the server the connection is sound (and out of the
            // transaction); after any other failure its state is unknown.
            closing = !PostgresStorageError.isServerAnswer(error)
            throw PostgresStorageError.commitFailure(error)
        }
        return result
    }
}

/// The mark of a thread running a transaction (its identity ties a transaction to its thread).
final class TransactionThreadMarker: Sendable {}
