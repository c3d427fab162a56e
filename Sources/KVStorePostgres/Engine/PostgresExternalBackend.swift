public import KVStore
import NIOConcurrencyHelpers
import PostgresNIO

/// KVStore's external-backend seam (`ExternalStorageBackend`) over PostgreSQL: the engine's
/// transaction bodies run on `PostgresTransactionRunner`'s threads, one PostgreSQL transaction
/// each (docs/postgres-backend.md, "The backend seam").
///
/// - `read`: `REPEATABLE READ READ ONLY`, one snapshot, from the primary (strongly consistent);
///   an eventually consistent read (`read(.eventual, _:)`) from the read replica when there is
///   one and it serves (`PostgresReplica`), else from the primary.
/// - `write` (and `exclusive`): READ COMMITTED; item reads lock their row (`SELECT ... FOR
///   UPDATE`), so writers of one item on any node queue on it and each checks its condition
///   against the latest committed item. A body whose insert lost to a concurrent insert of the
///   same key runs again whole (the engine's bodies have no side effects outside the
///   transaction but the catalog cache, which they set to what they commit).
/// - Conflicts (`PostgresConflict`: deadlock, lock wait past `lockTimeoutMilliseconds`) answer
///   DynamoDB's TransactionConflictException; a failed connection or COMMIT is a
///   `PostgresBackendFailure` (`ExternalStorageFailure`: the engine reloads its catalog, the
///   server answers 500).
public final class PostgresExternalBackend: ExternalStorageBackend {
    public let runner: PostgresTransactionRunner
    /// The bound of a write's wait for another writer's row lock: past it, a conflict.
    public let lockTimeoutMilliseconds: Int
    private let poolTask: Task<Void, Never>
    private let rerun = PostgresRerun(onConcurrentInsert: true, onClosedShard: false)
    private let closed = NIOLockedValueBox(false)
    private let definitions = TableDefinitionCache()
    /// The singleton duties' leases (`whileHolding`, in PostgresExternalBackend+Duties.swift).
    public let leases: PostgresDutyLeases
    /// The read replica serving eventually consistent reads (`--storage-replica`), if any.
    public let replica: PostgresReplica?

    /// Starts the pool (its `run` in a task of its own until `shutdown`) and the runner's threads.
    /// The database must be migrated (`PostgresMigrator.migrate`) before the engine opens it.
    /// `leaseTTLMilliseconds`: the lifetime of the singleton duties' leases (a dead node's duties
    /// pass to another within about this long).
    /// `replica`: a standby's pool for eventually consistent reads (the backend starts and
    /// closes it).
    public init(
        pool: PostgresPool, callTimeout: Duration = .seconds(30), lockTimeoutMilliseconds: Int = 5000,
        leaseTTLMilliseconds: Int64 = PostgresDutyLeases.defaultTTLMilliseconds, replica: PostgresReplica? = nil
    ) {
        self.replica = replica
        self.poolTask = Task { await pool.run() }
        self.runner = PostgresTransactionRunner(pool: pool, callTimeout: callTimeout)
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        self.leases = PostgresDutyLeases(pool: pool, ttlMilliseconds: leaseTTLMilliseconds)
    }

    public var name: String { "PostgreSQL" }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T {
        try await mapped { try await self.runRead(on: self.runner, onReplica: false, body) }
    }

    /// Runs a read body on `runner` (the primary's or the replica's), then checks the tables it
    /// read against that database's catalog (`verifyTables`).
    private func runRead<T: Sendable>(
        on runner: PostgresTransactionRunner, onReplica: Bool,
        _ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T
    ) async throws -> T {
        try await runner.run(.read) { transaction in
            let storage = PostgresExternalTransaction(
                transaction, writes: false, definitions: self.definitions, onReplica: onReplica)
            let result: T
            do {
                result = try body(storage)
            } catch let error as KVError {
                // A table gone answers ResourceNotFoundException whatever else the body met.
                try storage.verifyTables()
                throw error
            }
            try storage.verifyTables()
            return result
        }
    }

    /// An eventually consistent read goes to the replica while it serves. Run again on the
    /// primary when the replica fails (and it stops serving: `PostgresReplica`), when a recovery
    /// conflict cancels it there (SQLSTATE 40001: replay removed rows its snapshot needed), or
    /// when the replica's catalog lacks the table (`ReplicaCatalogBehind`). The body has no side
    /// effects outside its transaction, so running it twice is safe.
    public func read<T: Sendable>(
        _ consistency: ReadConsistency, _ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T
    ) async throws -> T {
        guard consistency == .eventual, let replica, replica.isServing else { return try await read(body) }
        do {
            let result = try await runRead(on: replica.runner, onReplica: true, body)
            replica.readSucceeded()
            return result
        } catch let error as KVError {
            // The engine's own error (a key or stored item it refuses): the primary would answer
            // the same. (A table the replica lacks is `ReplicaCatalogBehind`, never this.)
            throw error
        } catch is ReplicaCatalogBehind {
            // The replica lags behind the catalog: this read only goes to the primary.
        } catch {
            if PostgresConflict.classify(error) == nil { replica.readFailed(error) }
        }
        return try await read(body)
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T {
        // A singleton duty's write (the TTL sweeper's, a backfill's) commits only under its lease.
        let fence = PostgresDutyFence.current
        return try await mapped {
            try await runner.run(.write(lockTimeoutMilliseconds: lockTimeoutMilliseconds), rerun: rerun) { transaction in
                try fence?.check(in: transaction)
                let storage = PostgresExternalTransaction(transaction, writes: true, definitions: self.definitions)
                let result = try body(storage)
                // Last, as the runner's own appends: a shard row stays locked from here to COMMIT.
                try storage.flushStreams()
                return result
            }
        }
    }

    public func exclusive<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T {
        try await write(body)
    }

    public func isStorageFailure(_ error: any Error) -> Bool {
        error is PostgresBackendFailure
    }

    /// Stops the runner's threads once their transactions ended, then the pool (kvserver calls
    /// this at stop, before the engine's `shutdown`). Later calls do nothing.
    public func close() async {
        guard closed.withLockedValue({ closed in defer { closed = true }; return !closed }) else { return }
        // Hands the duties over at once (while the pool still runs), before the threads stop.
        await leases.releaseAll()
        await replica?.close()
        try? await runner.shutdown()
        poolTask.cancel()
        _ = await poolTask.value
    }

    /// The seam's synchronous shutdown: `close` on a task of its own, waited for (at most 30 s).
    public func shutdown() {
        guard !closed.withLockedValue({ $0 }) else { return }
        let done = BlockingResult<Void>()
        Task.detached {
            await self.close()
            done.complete(.success(()))
        }
        _ = done.wait(timeout: .seconds(30))
    }

    /// The engine's errors pass through; PostgreSQL's become DynamoDB's.
    private func mapped<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as KVError {
            throw error
        } catch {
            throw Self.engineError(error)
        }
    }

    /// What the engine sees of a failure that is not its own `KVError`.
    public static func engineError(_ error: any Error) -> any Error {
        if PostgresConflict.classify(error) != nil {
            // DynamoDB's answer to a write colliding with a concurrent transaction.
            // See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
            return KVError(.transactionConflict, "Transaction is ongoing for the item")
        }
        return PostgresBackendFailure(error)
    }
}

/// A failure of PostgreSQL itself (connection lost, COMMIT failed or its outcome unknown, a
/// call timed out): nothing the client did. Its description names the failure, never values.
public struct PostgresBackendFailure: ExternalStorageFailure, CustomStringConvertible {
    public let underlying: any Error

    public init(_ underlying: any Error) {
        self.underlying = underlying
    }

    public var description: String { "PostgreSQL storage failure: \(underlying)" }
}
