public import PostgresNIO

/// Item reads and the conditional-write primitive: read the item under a row lock, decide, write,
/// in one transaction. Every kvserver process over the same database serializes on the row, so
/// a condition is always checked against the latest committed item and no update is lost.
public struct PostgresItems: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The latest committed item (a strongly consistent read), or nil.
    public func read(_ key: RowKey) async throws -> ItemRow? {
        var found: ItemRow?
        for try await item in try await pool.client.execute(ItemStatements.Select(key: key), logger: pool.logger) {
            found = item
        }
        return found
    }

    /// Reads the item at `key` under a row lock, lets `decide` choose the write (and a result for
    /// the caller, such as the condition's outcome or return values), applies it and commits.
    ///
    /// A key that does not exist yet has no row to lock: two writers may both see nil; the
    /// second one's insert then finds the first one's row, and the whole step runs again (it is
    /// a storage artifact, not a client-visible conflict), this time reading the row. `decide`
    /// may therefore run more than once, and must have no side effects of its own.
    public func conditionalWrite<Result: Sendable>(
        _ key: RowKey,
        attempts: Int = 8,
        decide: @Sendable (ItemRow?) throws -> (ItemWrite, Result)
    ) async throws -> Result {
        try await pool.retryingConflicts(attempts: attempts) { connection in
            let old = try await Self.readForUpdate(key, on: connection, logger: pool.logger)
            let (write, result) = try decide(old)
            try await Self.apply(write, at: key, replacing: old, on: connection, logger: pool.logger)
            return result
        }
    }

    /// The item at `key`, locked until the transaction on `connection` ends.
    ///
    /// - Parameter noWait: fail at once with a `.lockNotAvailable` conflict when another
    ///   transaction holds the row (TransactWriteItems), instead of waiting (single-item writes).
    public static func readForUpdate(
        _ key: RowKey, noWait: Bool = false, on connection: PostgresConnection, logger: Logger
    ) async throws -> ItemRow? {
        var found: ItemRow?
        if noWait {
            for try await item in try await connection.execute(ItemStatements.SelectForUpdateNoWait(key: key), logger: logger) {
                found = item
            }
        } else {
            for try await item in try await connection.execute(ItemStatements.SelectForUpdate(key: key), logger: logger) {
                found = item
            }
        }
        return found
    }

    /// Applies `write` to the row read (and locked) as `old` in this transaction.
    ///
    /// - Throws: `PostgresConflict(.concurrentInsert)` when `old` was nil and another
    ///   transaction inserted the key meanwhile (the caller's transaction must be retried whole).
    public static func apply(
        _ write: ItemWrite, at key: RowKey, replacing old: ItemRow?,
        on connection: PostgresConnection, logger: Logger
    ) async throws {
        switch write {
        case .keep:
            return
        case .put(let item):
            if old == nil {
                let inserted = try await count(connection.execute(ItemStatements.InsertIfAbsent(key: key, item: item), logger: logger))
                if inserted == 0 { throw PostgresConflict(.concurrentInsert) }
            } else {
                let updated = try await count(connection.execute(ItemStatements.Update(key: key, item: item), logger: logger))
                guard updated == 1 else {
                    throw PostgresStorageError.unexpected("a locked item row was gone at UPDATE")
                }
            }
        case .delete:
            guard old != nil else { return }
            let deleted = try await count(connection.execute(ItemStatements.Delete(key: key), logger: logger))
            guard deleted == 1 else {
                throw PostgresStorageError.unexpected("a locked item row was gone at DELETE")
            }
        }
    }

    private static func count<Rows: AsyncSequence>(_ rows: Rows) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}
