public import PostgresNIO

/// PostgreSQL's isolation levels, as the backend uses them.
///
/// Item writes run in READ COMMITTED and lock what they read (`SELECT ... FOR UPDATE`): a writer
/// waits for the row, then sees its latest committed version, so a conditional write never
/// checks a stale item. SERIALIZABLE is for multi-statement work that reads without locking.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresPool {
    /// Runs `body` in one transaction on one pooled connection, and commits it.
    ///
    /// A serialization failure, deadlock or lock timeout (SQLSTATE 40001, 40P01, 55P03), thrown
    /// by `body` or by COMMIT, comes out as `PostgresConflict`, after the rollback: nothing of
    /// the transaction remains. A connection lost during COMMIT is `commitOutcomeUnknown`.
    ///
    /// - Parameter lockTimeoutMilliseconds: how long a statement waits for a row lock before the
    ///   transaction fails with a `.lockNotAvailable` conflict (nil: PostgreSQL's setting).
    public func transaction<Result: Sendable>(
        isolation: PostgresIsolation = .readCommitted,
        lockTimeoutMilliseconds: Int? = nil,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"), logger: logger)
            let result: Result
            do {
                if let lockTimeoutMilliseconds {
                    // SET takes no bind parameters; the value is a validated integer.
                    let milliseconds = max(1, lockTimeoutMilliseconds)
                    try await connection.query(PostgresQuery(unsafeSQL: "SET LOCAL lock_timeout = \(milliseconds)"), logger: logger)
                }
                result = try await body(connection)
            } catch {
                // A broken connection fails the ROLLBACK too; the server rolls back on disconnect.
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw PostgresConflict.classify(error) ?? error
            }
            do {
                try await connection.query("COMMIT", logger: logger)
            } catch {
                throw PostgresStorageError.commitFailure(error)
            }
            return result
        }
    }

    /// `transaction`, run again (up to `attempts` times in all) while it ends in a conflict.
    /// For writes whose conflicts are the storage's business (a single-item write that raced
    /// with an insert of the same key), not the client's.
    public func retryingConflicts<Result: Sendable>(
        attempts: Int = 8,
        isolation: PostgresIsolation = .readCommitted,
        lockTimeoutMilliseconds: Int? = nil,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await transaction(
                    isolation: isolation, lockTimeoutMilliseconds: lockTimeoutMilliseconds, body)
            } catch let conflict as PostgresConflict {
                guard attempt < attempts else { throw conflict }
                attempt += 1
            }
        }
    }
}
