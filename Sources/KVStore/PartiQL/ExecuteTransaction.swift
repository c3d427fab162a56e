public struct TransactionStatementResult: Sendable {
    /// For a transaction of reads: one entry per statement, nil where no item matched.
    /// Empty for a transaction of writes.
    public var items: [Item?]
    public var consumedCapacity: [ConsumedCapacity]
    public var isRead: Bool
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
    ///
    /// All reads (a TransactGetItems) or all writes (a TransactWriteItems, with `EXISTS(...)` as
    /// ConditionCheck): all-or-nothing, the same cancellation reasons and client token rules.
    /// A statement that fails validation fails the call, naming its position.
    public func executeTransaction(
        _ statements: [PartiQLStatementInput], clientToken: (token: String, fingerprint: String)? = nil
    ) async throws -> TransactionStatementResult {
        var prepared: [PreparedStatement] = []
        for (position, input) in statements.enumerated() {
            prepared.append(try prepareInTransaction(input, position: position))
        }
        let reads = prepared.filter(\.isRead).count
        if reads > 0 && reads < prepared.count {
            throw KVError.validation("ExecuteTransaction API does not support both read and write operations in the same request.")
        }
        if reads > 0 {
            var gets: [TransactGet] = []
            var filters: [(ConditionExpression?, [DocumentPath]?)] = []
            for case .select(let plan) in prepared {
                guard plan.index == nil else { throw KVError.validation("Reads on indices are not supported within transactions.") }
                guard case .getItem(let key) = plan.plan else {
                    throw KVError.validation("Select statements within ExecuteTransaction must specify the primary key in the where clause.")
                }
                gets.append(TransactGet(tableName: plan.table.name, key: key))
                filters.append((plan.condition.map { ConditionExpression(root: $0) }, plan.projection))
            }
            let result = try await transactGetItems(gets)
            let items = zip(result.items, filters).map { item, rule -> Item? in
                guard let item, rule.0?.evaluate(item) ?? true else { return nil }
                return partiQLProject(item, rule.1)
            }
            return TransactionStatementResult(items: items, consumedCapacity: result.consumedCapacity, isRead: true)
        }
        var actions: [TransactWriteAction] = []
        for statement in prepared {
            switch statement {
            case .insert(let put): actions.append(.put(put))
            case .update(let update):
                guard update.returnValues == .none else { throw KVError.validation("Unsupported operation in transaction.") }
                actions.append(.update(update))
            case .delete(let delete):
                guard delete.returnValues == .none else { throw KVError.validation("Unsupported operation in transaction.") }
                actions.append(.delete(delete))
            case .exists(let check): actions.append(.conditionCheck(check))
            case .select: break
            }
        }
        let result = try await transactWriteItems(TransactWriteRequest(actions: actions, clientToken: clientToken))
        return TransactionStatementResult(items: [], consumedCapacity: result.consumedCapacity, isRead: false)
    }

    /// A statement of a transaction; a validation error names its position.
    private func prepareInTransaction(_ input: PartiQLStatementInput, position: Int) throws(KVError) -> PreparedStatement {
        let result = Result { () throws(KVError) in try prepare(input, allowsExists: true) }
        switch result {
        case .success(let statement): return statement
        case .failure(let error) where error.code == .validation:
            throw KVError.validation("Validation failed in TransactStatements[\(position)]: \(error.message)")
        case .failure(let error): throw error
        }
    }
}
