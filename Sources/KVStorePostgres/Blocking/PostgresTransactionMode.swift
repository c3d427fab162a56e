/// What a `PostgresTransactionRunner` transaction is for.
public enum PostgresTransactionMode: Sendable, Equatable {
    /// Reads only, all from one snapshot (`REPEATABLE READ READ ONLY`): a multi-item read
    /// (BatchGetItem, TransactGetItems, a Query reading several pages) sees one committed state,
    /// and never fails with a serialization error (only writes do).
    case read
    /// Reads and writes. READ COMMITTED by default: writers lock what they read
    /// (`readForUpdate`), wait for each other on the row and see its latest committed version.
    /// `lockTimeoutMilliseconds` bounds each wait for a row lock (a `.lockNotAvailable` conflict).
    case write(isolation: PostgresIsolation = .readCommitted, lockTimeoutMilliseconds: Int? = nil)

    var begin: String {
        switch self {
        case .read: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        case .write(let isolation, _): "BEGIN ISOLATION LEVEL \(isolation.rawValue)"
        }
    }

    /// What opens the transaction: BEGIN, and the lock wait bound (`SET` takes no bind
    /// parameters; the value is a validated integer).
    var opening: [String] {
        guard let milliseconds = lockTimeoutMilliseconds else { return [begin] }
        return [begin, "SET LOCAL lock_timeout = \(max(1, milliseconds))"]
    }

    var lockTimeoutMilliseconds: Int? {
        switch self {
        case .read: nil
        case .write(_, let milliseconds): milliseconds
        }
    }
}

/// Which failures make `PostgresTransactionRunner` run a whole transaction body again: those
/// that are the storage's business, not the client's.
public struct PostgresRerun: Sendable, Equatable {
    /// How many times the body runs at most.
    public var attempts: Int
    /// Rerun when an insert lost to a concurrent insert of the same key (a single-item write:
    /// the rerun reads and locks the winner's row). Not for TransactWriteItems, where it is a
    /// TransactionConflictException.
    public var onConcurrentInsert: Bool
    /// Rerun when a stream append found its shard closed meanwhile (the rerun picks the open one).
    public var onClosedShard: Bool

    public init(attempts: Int = 8, onConcurrentInsert: Bool, onClosedShard: Bool = true) {
        self.attempts = attempts
        self.onConcurrentInsert = onConcurrentInsert
        self.onClosedShard = onClosedShard
    }

    /// Run once.
    public static let never = PostgresRerun(attempts: 1, onConcurrentInsert: false, onClosedShard: false)
    /// A single-item write: both artifacts rerun.
    public static let singleItemWrite = PostgresRerun(onConcurrentInsert: true)
    /// A multi-item transaction: closed shards rerun, lost inserts are conflicts.
    public static let multiItemWrite = PostgresRerun(onConcurrentInsert: false)

    func reruns(after error: any Error) -> Bool {
        switch error {
        case let conflict as PostgresConflict: onConcurrentInsert && conflict.reason == .concurrentInsert
        case PostgresStorageError.shardNotOpen: onClosedShard
        default: false
        }
    }
}
