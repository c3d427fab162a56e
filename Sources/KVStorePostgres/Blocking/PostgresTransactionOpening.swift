/// How a `PostgresTransactionRunner` body's statements reach the server.
///
/// - `autocommit`: a `.read` body runs first without BEGIN: its one statement is a snapshot of
///   its own (a single statement outside a transaction sees one committed state, as the
///   same statement inside `REPEATABLE READ` would), so a GetItem, a BatchGetItem of one key
///   or a Query page whose first batch is the whole page costs one round trip instead of
///   three (BEGIN, the statement, COMMIT). A second statement is refused (`SnapshotNeeded`)
///   and the runner runs the whole body again with `pending` BEGIN: the two statements must
///   share one snapshot, and the first one's answer cannot be moved into a later one.
/// - `pending`: BEGIN (and `SET LOCAL lock_timeout`) go out with the body's first statement,
///   in the same blocking call (one wait of the thread, not one per statement); a body that
///   runs no statement sends nothing at all, and no COMMIT.
/// - `open`: inside the transaction.
enum PostgresTransactionOpening: Equatable {
    case autocommit
    case pending([String])
    case open
}

/// A second statement in an `.autocommit` body: the runner runs the body again in a snapshot.
struct SnapshotNeeded: Error {}

/// A failure of a statement sent with COMMIT but before it (`commitQueued`): COMMIT was not
/// sent, so the transaction did not commit.
struct NotCommitted: Error {
    let error: any Error
}
