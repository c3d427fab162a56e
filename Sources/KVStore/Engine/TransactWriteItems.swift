/// A ConditionCheck action of TransactWriteItems: a condition on an item that is not written.
public struct ConditionCheckRequest: Sendable {
    public var tableName: String
    public var key: Item
    public var condition: WriteCondition

    public init(tableName: String, key: Item, condition: WriteCondition) {
        self.tableName = tableName
        self.key = key
        self.condition = condition
    }
}

/// One action of a TransactWriteItems call. The request types are the single-item ones;
/// their `returnValues` are ignored (transactions return no attributes).
public enum TransactWriteAction: Sendable {
    case put(PutItemRequest)
    case update(UpdateItemRequest)
    case delete(DeleteItemRequest)
    case conditionCheck(ConditionCheckRequest)

    var tableName: String {
        switch self {
        case .put(let put): put.tableName
        case .update(let update): update.tableName
        case .delete(let delete): delete.tableName
        case .conditionCheck(let check): check.tableName
        }
    }
}

public struct TransactWriteRequest: Sendable {
    public var actions: [TransactWriteAction]
    /// `ClientRequestToken`, and a fingerprint of the request it was sent with: a second call
    /// with the same token within 10 minutes replays the first if the fingerprints match, and
    /// fails with IdempotentParameterMismatchException otherwise.
    public var clientToken: (token: String, fingerprint: String)?

    public init(actions: [TransactWriteAction], clientToken: (token: String, fingerprint: String)? = nil) {
        self.actions = actions
        self.clientToken = clientToken
    }
}

public struct TransactWriteResult: Sendable {
    /// One entry per table: transactional write units, or for a replayed call the
    /// transactional read units of the items it names, as DynamoDB reports them.
    public var consumedCapacity: [ConsumedCapacity]
    /// True when the token matched an earlier call and nothing was written.
    public var replayed: Bool
}

/// An action after its table and key were resolved, as the write pipeline's mutation.
struct PlannedAction: Sendable {
    let table: TableDefinition
    let key: StorageKey
    let mutation: ItemMutation
    /// A fault DynamoDB finds while the transaction runs rather than up front: the action is
    /// not applied and cancels the transaction with a `ValidationError` reason.
    var failure: KVError? = nil
}

/// An item of a transaction, for "multiple operations on one item".
struct ItemIdentity: Hashable {
    let storageID: Int64
    let key: StorageKey
}

extension KVEngine {
    public static let maxTransactionActions = 100
    static let maxTransactionBytes = 4 * 1024 * 1024
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html:
    /// "A client request token is valid for 10 minutes after the first request that uses it is completed."
    static let clientTokenLifetime: Double = 600

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
    ///
    /// All actions run in one body of the group-commit writer (one SQLite transaction, its own
    /// savepoint), in order: each condition is checked against the item as stored, with every
    /// earlier action applied. If any action fails, the body throws TransactionCanceledException
    /// with one reason per action and its savepoint rolls everything back. The single writer
    /// makes transactions and single-item writes serialisable without conflicts.
    ///
    /// The client token is stored in SQLite in the same transaction as the writes, so a call
    /// that committed is never applied twice, even across a restart, and a call that failed
    /// leaves no token behind (its retry runs again, as DynamoDB's does).
    public func transactWriteItems(_ request: TransactWriteRequest) async throws -> TransactWriteResult {
        let plan = try planTransaction(request.actions)
        let catalog = self.catalog
        let clientToken = request.clientToken
        let now = self.now()
        return try await onExistingTable {
            try await storage.write { connection in
                if let clientToken {
                    try TransactionTokens.purge(olderThan: now - Self.clientTokenLifetime, in: connection)
                    if let fingerprint = try TransactionTokens.fingerprint(of: clientToken.token, in: connection) {
                        guard fingerprint == clientToken.fingerprint else {
                            throw KVError(
                                .idempotentParameterMismatch,
                                "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used."
                            )
                        }
                        return TransactWriteResult(consumedCapacity: try Self.replayCapacity(plan, catalog, connection), replayed: true)
                    }
                }
                try Self.lockTransactionItems(plan, in: connection)
                var reasons: [CancellationReason] = []
                var failed = false
                var consumed: [ConsumedCapacity] = []
                for planned in plan {
                    if let failure = planned.failure {
                        failed = true
                        reasons.append(CancellationReason(code: "ValidationError", message: failure.message))
                        continue
                    }
                    do {
                        // Every action's old size counts, read or not (the larger of old and new).
                        // One switch to the concrete item storage (see `writeItem`).
                        let applied: AppliedChange
                        switch try self.itemStore(planned.table, connection) {
                        case .sqlite(let store): applied = try store.apply(planned.mutation, at: planned.key, measuresCapacity: true)
                        case .external(let store): applied = try store.apply(planned.mutation, at: planned.key, measuresCapacity: true)
                        }
                        consumed.append(applied.capacity(table: planned.table.name).scaled(by: 2, kind: .transactionalWrite))
                        reasons.append(.none)
                    } catch let error as KVError where error.code == .conditionalCheckFailed {
                        failed = true
                        reasons.append(CancellationReason(code: "ConditionalCheckFailed", message: error.message, item: error.item))
                    } catch let error as KVError where error.code == .duplicateItem {
                        failed = true
                        reasons.append(CancellationReason(code: "DuplicateItem", message: error.message))
                    } catch let error as KVError where error.code == .validation {
                        failed = true
                        reasons.append(CancellationReason(code: "ValidationError", message: error.message))
                    }
                }
                if failed {
                    throw KVError.transactionCanceled(reasons)
                }
                if let clientToken {
                    try TransactionTokens.record(clientToken.token, fingerprint: clientToken.fingerprint, at: now, in: connection)
                }
                return TransactWriteResult(consumedCapacity: ConsumedCapacity.perTable(consumed), replayed: false)
            }
        }
    }

    /// Resolves tables and keys, and applies the checks DynamoDB makes before running anything.
    func planTransaction(_ actions: [TransactWriteAction]) throws(KVError) -> [PlannedAction] {
        var plan: [PlannedAction] = []
        var seen = Set<ItemIdentity>()
        var totalBytes = 0
        for action in actions {
            let table = try existingTable(action.tableName)
            try TransactionKeyRules.checkUpFront(action, table: table)
            if let failure = TransactionKeyRules.deferredFailure(of: action, table: table) {
                plan.append(
                    PlannedAction(
                        table: table, key: StorageKey(hash: 0, partition: [], sort: []), mutation: ItemMutation(.check),
                        failure: failure))
                continue
            }
            // Transactions return no attributes: every `returnValues` is left out.
            let key: StorageKey
            let mutation: ItemMutation
            switch action {
            case .put(let put):
                key = try KeyValidator.keyOfItem(put.item, schema: table.keySchema)
                try IndexKeys.validate(put.item, for: table)
                let size = ItemSize.of(put.item)
                totalBytes += size
                mutation = ItemMutation(.put(put.item, size: size, insertOnly: put.insertOnly), condition: put.condition)
            case .update(let update):
                key = try KeyValidator.key(update.key, schema: table.keySchema)
                let keyNames = Set(table.keySchema.attributeNames)
                mutation = ItemMutation(
                    .update(key: update.key, expression: update.update, keyAttributes: keyNames), condition: update.condition)
            case .delete(let delete):
                key = try KeyValidator.key(delete.key, schema: table.keySchema)
                mutation = ItemMutation(.delete, condition: delete.condition)
            case .conditionCheck(let check):
                key = try KeyValidator.key(check.key, schema: table.keySchema)
                mutation = ItemMutation(.check, condition: check.condition)
            }
            guard seen.insert(ItemIdentity(storageID: table.storageID, key: key)).inserted else {
                throw .validation("Transaction request cannot include multiple operations on one item")
            }
            plan.append(PlannedAction(table: table, key: key, mutation: mutation))
        }
        if totalBytes > Self.maxTransactionBytes {
            throw .validation(
                "Collection size of items exceeded, which can also be caused by the aggregate size of the items in the transaction exceeding the 4MB limit"
            )
        }
        return plan
    }

    /// A replayed call reports the transactional reads of the items it names.
    static func replayCapacity(_ plan: [PlannedAction], _ catalog: Catalog, _ connection: StorageTransaction) throws -> [ConsumedCapacity] {
        var consumed: [ConsumedCapacity] = []
        for planned in plan {
            let store = try connection.items(try catalog.current(planned.table))
            let size = try store.storedSize(planned.key) ?? 0
            consumed.append(.read(table: planned.table.name, index: nil, bytes: size, .transactional))
        }
        return ConsumedCapacity.perTable(consumed)
    }
}

/// The stored client request tokens (`TransactionTokenStorage`).
enum TransactionTokens {
    /// Whole seconds, stored as INTEGER.
    static func seconds(_ time: Double) -> Int64 {
        time.isFinite ? Int64(min(max(time, 0), 1e15)) : 0
    }

    static func purge(olderThan cutoff: Double, in connection: some TransactionTokenStorage) throws {
        try connection.purgeTransactionTokens(recordedBefore: seconds(cutoff))
    }

    static func fingerprint(of token: String, in connection: some TransactionTokenStorage) throws -> String? {
        try connection.transactionTokenFingerprint(token)
    }

    static func record(_ token: String, fingerprint: String, at time: Double, in connection: some TransactionTokenStorage) throws {
        try connection.recordTransactionToken(token, fingerprint: fingerprint, at: seconds(time))
    }
}
