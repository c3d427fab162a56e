/// Whether a read must see every write acknowledged before it, or may be served from a copy
/// of the data that lags behind (a PostgreSQL read replica, `--storage-replica`).
///
/// DynamoDB's `ConsistentRead`: false (the default of GetItem, BatchGetItem, Query and Scan) is
/// an eventually consistent read, whose answer may miss a write that just completed (asked
/// again a little later, it sees it); true is a strongly consistent read, reflecting every
/// write that succeeded before it. Reads of a global secondary index are always eventually
/// consistent; TransactGetItems, condition checks and every read inside a write are strongly
/// consistent. (Stream reads, eventually consistent in DynamoDB, stay on the primary here:
/// their gap-free numbering is read from it.)
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
public enum ReadConsistency: Sendable, Equatable {
    /// Sees every write committed before the read began (the primary database).
    case strong
    /// May miss recent writes (a replica may serve it); still one consistent snapshot.
    case eventual

    /// The consistency a request's `ConsistentRead` asks for.
    public init(consistentRead: Bool) {
        self = consistentRead ? .strong : .eventual
    }
}

extension ExternalStorageBackend {
    /// Default: every read is strongly consistent (`read`), which satisfies an eventually
    /// consistent one too.
    public func read<T: Sendable>(
        _ consistency: ReadConsistency, _ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T
    ) async throws -> T {
        try await read(body)
    }
}
