/// The outcome of one statement of a BatchExecuteStatement: its item (reads), or its error.
public struct BatchStatementOutcome: Sendable {
    public var tableName: String?
    public var item: Item?
    public var error: KVError?
}

public struct BatchStatementResult: Sendable {
    /// One outcome per statement, in order.
    public var outcomes: [BatchStatementOutcome]
    /// One entry per table.
    public var consumedCapacity: [ConsumedCapacity]
}

extension KVEngine {
    public static let maxBatchStatements = 25

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
    ///
    /// Not a transaction: each statement runs on its own (reads as GetItem, writes as the single
    /// item writes) and fails on its own, with its error in place of its result. The batch holds
    /// reads only or writes only; a read must name the whole primary key.
    public func batchExecuteStatement(_ statements: [PartiQLStatementInput]) async throws -> BatchStatementResult {
        var prepared: [Result<PreparedStatement, KVError>] = []
        for input in statements {
            do throws(KVError) {
                prepared.append(.success(try prepare(input)))
            } catch {
                prepared.append(.failure(error))
            }
        }
        let kinds = Set(prepared.compactMap { try? $0.get().isRead })
        if kinds.count > 1 {
            throw KVError.validation("Unsupported operation: BatchExecuteStatement requests must contain either all reads or all writes")
        }
        var outcomes: [BatchStatementOutcome] = []
        var consumed: [ConsumedCapacity] = []
        for (input, entry) in zip(statements, prepared) {
            switch entry {
            case .failure(let error):
                outcomes.append(BatchStatementOutcome(error: error))
            case .success(let statement):
                do {
                    let result = try await runBatchStatement(statement, input)
                    if let capacity = result.consumedCapacity { consumed.append(capacity) }
                    outcomes.append(BatchStatementOutcome(tableName: statement.tableName, item: result.items.first))
                } catch let error as KVError {
                    outcomes.append(BatchStatementOutcome(tableName: statement.tableName, error: error))
                }
            }
        }
        return BatchStatementResult(outcomes: outcomes, consumedCapacity: ConsumedCapacity.perTable(consumed))
    }

    private func runBatchStatement(_ statement: PreparedStatement, _ input: PartiQLStatementInput) async throws -> StatementResult {
        switch statement {
        case .select(let plan):
            guard case .getItem(let key) = plan.plan, plan.index == nil else {
                throw KVError.validation("Select statements within BatchExecuteStatement must specify the primary key in the where clause.")
            }
            let read = try await readItem(GetItemRequest(tableName: plan.table.name, key: key, consistentRead: input.consistentRead))
            var result = StatementResult(tableName: plan.table.name, consumedCapacity: read.consumedCapacity)
            if let item = read.item, plan.condition.map({ ConditionExpression(root: $0).evaluate(item) }) ?? true {
                result.items = [partiQLProject(item, plan.projection)]
            }
            return result
        case .insert(let put):
            return StatementResult(tableName: put.tableName, consumedCapacity: try await putItem(put).consumedCapacity)
        case .update(var update):
            update.returnValues = .none
            return StatementResult(tableName: update.tableName, consumedCapacity: try await updateItem(update).consumedCapacity)
        case .delete(var delete):
            delete.returnValues = .none
            return StatementResult(tableName: delete.tableName, consumedCapacity: try await deleteItem(delete).consumedCapacity)
        case .exists:
            throw PartiQLError.existsOutsideTransaction
        }
    }
}
