import PostgresNIO

/// A write that lost to a concurrent one and left nothing behind (its transaction was rolled
/// back): the engine answers DynamoDB's `TransactionConflictException` for a TransactWriteItems
/// call, or retries a single-item write whose conflict was only an artifact of the storage.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
public struct PostgresConflict: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        /// SQLSTATE 40001: a REPEATABLE READ or SERIALIZABLE transaction saw a concurrent change.
        case serializationFailure = "40001"
        /// SQLSTATE 40P01: two transactions waited on each other; PostgreSQL aborted this one.
        case deadlock = "40P01"
        /// SQLSTATE 55P03: `FOR UPDATE NOWAIT` or `lock_timeout`: the row was locked by another writer.
        case lockNotAvailable = "55P03"
        /// A row this transaction meant to insert was inserted by another one first (seen as
        /// `INSERT ... ON CONFLICT DO NOTHING` inserting nothing).
        case concurrentInsert = "kv-concurrent-insert"
    }

    public let reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String { "write conflict (\(reason))" }

    /// The conflict `error` stands for, or nil when it is some other failure.
    public static func classify(_ error: any Error) -> PostgresConflict? {
        if let conflict = error as? PostgresConflict { return conflict }
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else {
            return nil
        }
        return Reason(rawValue: state).map(PostgresConflict.init)
    }
}
