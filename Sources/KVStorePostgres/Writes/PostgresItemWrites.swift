extension RowKey {
    /// The order in which a transaction locks several items: any fixed total order keeps two
    /// transactions from each holding what the other waits for; this is the primary key's.
    public static func lockOrder(_ a: RowKey, _ b: RowKey) -> Bool {
        if a.storageID != b.storageID { return a.storageID < b.storageID }
        if a.hash != b.hash { return a.hash < b.hash }
        if a.pk != b.pk { return a.pk.lexicographicallyPrecedes(b.pk) }
        return a.sk.lexicographicallyPrecedes(b.sk)
    }
}

extension PostgresBlockingTransaction {
    /// Reads and locks the items of a multi-item transaction (TransactWriteItems), in key order,
    /// without waiting: an item another transaction holds fails the whole transaction at once
    /// with `PostgresConflict(.lockNotAvailable)` (DynamoDB rejects a colliding transaction
    /// rather than queueing it: TransactionConflictException). Returns the items present.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling
    public func lockItems(_ keys: [RowKey]) throws -> [RowKey: ItemRow] {
        var items: [RowKey: ItemRow] = [:]
        for key in Set(keys).sorted(by: RowKey.lockOrder) {
            if let item = try readForUpdate(key, noWait: true) { items[key] = item }
        }
        return items
    }
}

/// A TransactWriteItems `ClientRequestToken` with the fingerprint of its request.
public struct PostgresTransactionToken: Sendable, Equatable {
    public var token: String
    public var fingerprint: String
    /// Now, in seconds since 1970 (the token's claim time).
    public var now: Int64

    public init(token: String, fingerprint: String, now: Int64) {
        self.token = token
        self.fingerprint = fingerprint
        self.now = now
    }
}

extension PostgresTransactionRunner {
    /// A single-item write (PutItem, UpdateItem, DeleteItem, a BatchWriteItem entry, a TTL
    /// deletion): reads the item under its row lock, lets `decide` compute the change set (and a
    /// result: the condition's outcome, return values), commits it. Run again whole when the
    /// item was inserted concurrently or its stream shard closed meanwhile, so `decide` may run
    /// more than once and must have no side effects of its own.
    public func writeItem<Result: Sendable>(
        _ key: RowKey, lockTimeoutMilliseconds: Int? = nil,
        decide: @escaping @Sendable (PostgresBlockingTransaction, ItemRow?) throws -> (PostgresChangeSet, Result)
    ) async throws -> Result {
        try await run(.write(lockTimeoutMilliseconds: lockTimeoutMilliseconds), rerun: .singleItemWrite) { transaction in
            let old = try transaction.readForUpdate(key)
            let (change, result) = try decide(transaction, old)
            try transaction.commit(change)
            return result
        }
    }

    /// A multi-item transaction (TransactWriteItems): claims `token` (when given), locks `keys`
    /// in key order without waiting (`lockItems`), lets `decide` compute the change sets from
    /// the claim and the items present, and commits them all or nothing. When the token was
    /// used before, `decide` gets `.used` and no items (nothing is locked): it answers as
    /// DynamoDB does and returns no change.
    ///
    /// A collision is a `PostgresConflict` (TransactionConflictException), never queued or
    /// retried; a closed stream shard reruns the whole transaction.
    /// `lockTimeoutMilliseconds` bounds the waits `NOWAIT` does not cover (another transaction's
    /// uncommitted insert of the same key or token).
    public func transactWrite<Result: Sendable>(
        keys: [RowKey], token: PostgresTransactionToken? = nil, lockTimeoutMilliseconds: Int = 1000,
        decide: @escaping @Sendable (PostgresBlockingTransaction, PostgresTokens.Claim?, [RowKey: ItemRow]) throws -> (
            [PostgresChangeSet], Result
        )
    ) async throws -> Result {
        try await run(.write(lockTimeoutMilliseconds: lockTimeoutMilliseconds), rerun: .multiItemWrite) { transaction in
            // The token first: a second call with it waits for the first one's transaction
            // here, before locking anything.
            let claim = try token.map { try transaction.claimToken($0.token, fingerprint: $0.fingerprint, now: $0.now) }
            let items = claim == nil || claim == .claimed ? try transaction.lockItems(keys) : [:]
            let (changes, result) = try decide(transaction, claim, items)
            for change in changes { try transaction.commit(change) }
            return result
        }
    }
}
