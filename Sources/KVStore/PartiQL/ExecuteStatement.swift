public struct ExecuteStatementRequest: Sendable {
    public var input: PartiQLStatementInput
    /// Items evaluated at most (before the WHERE filter), as Query and Scan apply `Limit`.
    public var limit: Int?
    public var nextToken: String?

    public init(_ input: PartiQLStatementInput, limit: Int? = nil, nextToken: String? = nil) {
        self.input = input
        self.limit = limit
        self.nextToken = nextToken
    }
}

public struct StatementResult: Sendable {
    public var tableName: String
    /// Items read, or for a write the item `RETURNING` asked for (if any).
    public var items: [Item] = []
    public var nextToken: String?
    public var lastEvaluatedKey: Item?
    public var consumedCapacity: ConsumedCapacity?
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
    ///
    /// A SELECT runs as GetItem, Query or Scan (see `PartiQLPlanner`); INSERT as a PutItem that
    /// fails on an existing key; UPDATE and DELETE as UpdateItem / DeleteItem on the key the
    /// WHERE names, the rest of the WHERE as their condition. Same capacity, same stream records.
    public func executeStatement(_ request: ExecuteStatementRequest) async throws -> StatementResult {
        let prepared = try prepare(request.input)
        switch prepared {
        case .select(let plan):
            return try await runSelect(plan, request)
        case .insert(let put):
            let result = try await putItem(put)
            return StatementResult(tableName: put.tableName, consumedCapacity: result.consumedCapacity)
        case .update(let update):
            let result = try await updateItem(update)
            return StatementResult(
                tableName: update.tableName, items: result.attributes.map { [$0] } ?? [], consumedCapacity: result.consumedCapacity)
        case .delete(let delete):
            let result = try await deleteItem(delete)
            return StatementResult(
                tableName: delete.tableName, items: result.attributes.map { [$0] } ?? [], consumedCapacity: result.consumedCapacity)
        case .exists:
            throw PartiQLError.existsOutsideTransaction
        }
    }

    private func runSelect(_ plan: PreparedStatement.SelectPlan, _ request: ExecuteStatementRequest) async throws -> StatementResult {
        let input = request.input
        var segment = 0
        var startKey: Item?
        var resumed = false
        if let token = request.nextToken {
            (segment, startKey) = try statementTokens.position(
                token, statement: input.statement, parameters: input.parameters, now: now())
            resumed = true
        }
        let filter = plan.condition.map { ConditionExpression(root: $0) }
        let paths = plan.projection
        var result = StatementResult(tableName: plan.table.name)
        switch plan.plan {
        case .getItem(let key):
            if resumed { return result }
            let read = try await readItem(GetItemRequest(tableName: plan.table.name, key: key, consistentRead: input.consistentRead))
            if let item = read.item, filter?.evaluate(item) ?? true {
                result.items = [partiQLProject(item, paths)]
            }
            result.consumedCapacity = read.consumedCapacity
            return result
        case .partitions(let values, let sort):
            var remaining = request.limit
            var consumed: ConsumedCapacity?
            while segment < values.count {
                var options = readOptions(plan, request, filter: filter, startKey: startKey)
                options.limit = remaining
                let page = try await query(
                    QueryRequest(
                        tableName: plan.table.name, partitionKeyValue: values[segment], sortKeyCondition: sort,
                        scanIndexForward: !plan.descending, options: options))
                result.items += page.items
                if let capacity = page.consumedCapacity {
                    if consumed == nil { consumed = capacity } else { consumed?.add(capacity) }
                }
                remaining = remaining.map { $0 - page.scannedCount }
                if let last = page.lastEvaluatedKey {
                    result.lastEvaluatedKey = last
                    result.nextToken = statementTokens.issue(
                        statement: input.statement, parameters: input.parameters, segment: segment, startKey: last, now: now())
                    break
                }
                segment += 1
                startKey = nil
                if let left = remaining, left <= 0 {
                    if segment < values.count {
                        result.nextToken = statementTokens.issue(
                            statement: input.statement, parameters: input.parameters, segment: segment, startKey: nil, now: now())
                    }
                    break
                }
            }
            result.consumedCapacity = consumed
            return result
        case .query, .scan:
            let options = readOptions(plan, request, filter: filter, startKey: startKey)
            let page: ReadPage
            if case .query(let partition, let sort) = plan.plan {
                page = try await query(
                    QueryRequest(
                        tableName: plan.table.name, partitionKeyValue: partition, sortKeyCondition: sort,
                        scanIndexForward: !plan.descending, options: options))
            } else {
                page = try await scan(ScanRequest(tableName: plan.table.name, options: options))
            }
            result.items = page.items
            result.consumedCapacity = page.consumedCapacity
            if let last = page.lastEvaluatedKey {
                result.lastEvaluatedKey = last
                result.nextToken = statementTokens.issue(
                    statement: input.statement, parameters: input.parameters, startKey: last, now: now())
            }
            return result
        }
    }

    /// Query/Scan options of a SELECT: its index, WHERE as the filter, projection, Limit, start.
    private func readOptions(
        _ plan: PreparedStatement.SelectPlan, _ request: ExecuteStatementRequest, filter: ConditionExpression?, startKey: Item?
    ) -> ReadOptions {
        var options = ReadOptions(
            indexName: plan.index?.name, limit: request.limit, exclusiveStartKey: startKey,
            consistentRead: request.input.consistentRead)
        if let filter { options.filter = { filter.evaluate($0) } }
        if let paths = plan.projection {
            options.projection = { partiQLProject($0, paths) }
            options.projectedAttributes = Set(paths.compactMap(\.topLevelName))
        }
        return options
    }
}
