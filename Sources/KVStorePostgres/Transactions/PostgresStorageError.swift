import PostgresNIO

/// Failures of the PostgreSQL backend that are neither conflicts nor bad settings. Messages
/// name what went wrong and never carry item values.
public enum PostgresStorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection broke while COMMIT was under way: the transaction may or may not have
    /// committed. The engine must answer a 500 (as DynamoDB's InternalServerError), never assume.
    case commitOutcomeUnknown
    /// The server is older than `PostgresProbe.minimumServerVersion` (`server_version_num`s).
    case serverTooOld(found: Int, minimum: Int)
    /// The database holds a schema version newer than this kvserver knows.
    case schemaTooNew(found: Int, known: Int)
    /// The read replica (`--storage-replica`) is not a standby (`pg_is_in_recovery()` false).
    case replicaNotStandby
    /// The read replica is a standby of another cluster than the primary (`system_identifier`s differ).
    case replicaOfAnotherCluster
    /// A stream record was appended to a shard that does not exist or was closed (rotated)
    /// meanwhile: the write is to be run again, into the open shard.
    case shardNotOpen(streamID: Int64, shard: Int32)
    /// A statement returned what the schema rules out (a missing shard row, an unparsable tag).
    case unexpected(String)
    /// A call to PostgreSQL did not finish within the runner's bound (`PostgresTransactionRunner`'s
    /// `callTimeout`): the connection is dropped, the transaction rolled back by the server.
    case timedOut(String)
    /// The connection was found closed before a statement was sent: the statement did not reach
    /// the server, and the server rolled the transaction back when the session ended.
    case connectionLost(String)
    /// A blocking call made on an event loop thread, whose own I/O it would wait for (a bug).
    case blockingCallOnEventLoop
    /// A blocking call made inside a Swift task, which would hold a cooperative thread (a bug).
    case blockingCallInTask
    /// A `PostgresBlockingTransaction` used off its thread, after its end, or a transaction
    /// begun inside another one on the same thread (a bug: it could exhaust the pool).
    case transactionMisuse(String)

    public var description: String {
        switch self {
        case .commitOutcomeUnknown:
            "The connection to PostgreSQL was lost during COMMIT; the write may or may not have been applied."
        case .serverTooOld(let found, let minimum):
            "The PostgreSQL server is version \(Self.versionName(found)); kvserver needs \(Self.versionName(minimum)) or newer."
        case .schemaTooNew(let found, let known):
            "The PostgreSQL database has kvstore schema version \(found), newer than this kvserver knows "
                + "(\(known)): it was written by a newer kvserver. Upgrade this kvserver; never run an older one against it."
        case .replicaNotStandby:
            "The read replica is not a standby server (pg_is_in_recovery() is false): name a streaming "
                + "replica of the primary, or leave the replica out."
        case .replicaOfAnotherCluster:
            "The read replica is a standby of another PostgreSQL cluster than the primary (their "
                + "pg_control_system() system identifiers differ): name a streaming replica of the primary."
        case .shardNotOpen(let streamID, let shard):
            "Stream \(streamID) has no open shard \(shard)."
        case .unexpected(let what):
            "Unexpected PostgreSQL result: \(what)"
        case .timedOut(let what):
            "PostgreSQL did not answer in time (\(what)); the connection was dropped."
        case .connectionLost(let what):
            "The connection to PostgreSQL was closed before \(what); the transaction was rolled back."
        case .blockingCallOnEventLoop:
            "A blocking PostgreSQL call was made on an event loop thread; run it on PostgresTransactionRunner's threads."
        case .blockingCallInTask:
            "A blocking PostgreSQL call was made inside a Swift task; run it on PostgresTransactionRunner's threads."
        case .transactionMisuse(let what):
            "PostgresBlockingTransaction misused: \(what)"
        }
    }
}

extension PostgresStorageError {
    /// "15.4" for 150004, "9.6.24" for 90624 (`server_version_num`'s two layouts).
    static func versionName(_ number: Int) -> String {
        number >= 100000
            ? "\(number / 10000).\(number % 10000)"
            : "\(number / 10000).\(number / 100 % 100).\(number % 100)"
    }

    /// What a failed COMMIT means: a conflict (rolled back), the server's own error (rolled
    /// back), or, when no answer came (the connection broke, the wait timed out), an unknown
    /// outcome.
    public static func commitFailure(_ error: any Error) -> any Error {
        if let conflict = PostgresConflict.classify(error) { return conflict }
        if isServerAnswer(error) { return error }
        // COMMIT never sent: the outcome is known (rolled back).
        if case PostgresStorageError.connectionLost = error { return error }
        return PostgresStorageError.commitOutcomeUnknown
    }

    /// Whether `error` is an error PostgreSQL answered (the connection itself is sound).
    static func isServerAnswer(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo != nil
    }
}
