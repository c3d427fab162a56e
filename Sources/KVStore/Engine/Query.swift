public struct QueryRequest: Sendable {
    public var tableName: String
    public var partitionKeyValue: AttributeValue
    public var sortKeyCondition: KeyCondition.SortCondition?
    public var scanIndexForward: Bool
    public var options: ReadOptions
    /// A multi-attribute partition key (global secondary indexes): the values of the HASH
    /// attributes after the first, in key schema order.
    public var additionalPartitionKeyValues: [AttributeValue] = []
    /// A multi-attribute sort key: the values the first sort attributes equal, in key schema
    /// order; `sortKeyCondition` is on the sort attribute after them.
    public var sortKeyPrefix: [AttributeValue] = []

    public init(
        tableName: String, partitionKeyValue: AttributeValue, sortKeyCondition: KeyCondition.SortCondition? = nil,
        scanIndexForward: Bool = true, options: ReadOptions = ReadOptions()
    ) {
        self.tableName = tableName
        self.partitionKeyValue = partitionKeyValue
        self.sortKeyCondition = sortKeyCondition
        self.scanIndexForward = scanIndexForward
        self.options = options
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
    /// One partition, read as a B-tree range: the cost depends on the page, not the table.
    public func query(_ request: QueryRequest) async throws -> ReadPage {
        let table = try existingTable(request.tableName)
        let source = try ReadSource(table: table, options: request.options)
        let schema = source.keySchema
        let partition: [UInt8]
        if schema.isMultiAttribute {
            partition = try Self.multiAttributePartition(request, schema: schema)
        } else {
            guard request.partitionKeyValue.scalarType == schema.partitionKey.type,
                let encoded = KeyEncoding.encode(request.partitionKeyValue)
            else { throw Self.conditionTypeMismatch }
            partition = encoded
        }
        // Appended to in place: SQL is built for every request, then found in the statement cache.
        var sql = "SELECT \(source.pageColumns) FROM \(source.sqlTableName) WHERE h = ? AND pk = ?"
        var arguments: [PageReader.Argument] = [.integer(PartitionHash.of(partition)), .blob(partition)]
        if schema.additionalSortKeys != nil {
            try Self.appendMultiAttributeSortRange(request, sortKeys: schema.sortKeys, to: &sql, &arguments)
        } else {
            try Self.appendSortCondition(request.sortKeyCondition, sortKey: schema.sortKey, to: &sql, &arguments)
        }
        if let start = request.options.exclusiveStartKey {
            let full = try source.startPosition(start, isQuery: true)
            if case .blob(let startPartition)? = full.dropFirst().first, startPartition != partition {
                throw KVError.validation("The provided starting key is outside query boundaries based on provided conditions")
            }
            let position = full.dropFirst(2)
            let columns = source.orderColumns.joined(separator: ", ")
            let marks = Array(repeating: "?", count: position.count).joined(separator: ", ")
            sql += " AND (\(columns)) \(request.scanIndexForward ? ">" : "<") (\(marks))"
            arguments += position.map(Self.argument)
        }
        sql += source.orderBy(ascending: request.scanIndexForward)
        // A Limit above the budget means the page will likely outgrow it; without one, the
        // partition is often small enough.
        let mayFitInline = (request.options.limit ?? 0) <= InlineReadBudget.inline.rows
        return try await readPage(source: source, options: request.options, mayFitInline: mayFitInline, sql: sql, arguments: arguments)
    }

    static func argument(_ column: ReadSource.StartColumn) -> PageReader.Argument {
        switch column {
        case .integer(let value): .integer(value)
        case .blob(let value): .blob(value)
        }
    }

    static var conditionTypeMismatch: KVError {
        .validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
    }

    static var beginsWithNumber: KVError {
        .validation(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
    }

    /// The SQL of a condition on a single-attribute sort key (the `sk` column holds its plain bytes).
    static func appendSortCondition(
        _ condition: KeyCondition.SortCondition?, sortKey: KeyAttribute?, to sql: inout String, _ arguments: inout [PageReader.Argument]
    ) throws(KVError) {
        guard let condition else { return }
        guard let sortKey else { throw KVError.validation("Query key condition not supported") }
        func encoded(_ value: AttributeValue) throws(KVError) -> [UInt8] {
            guard value.scalarType == sortKey.type, let bytes = KeyEncoding.encode(value) else { throw conditionTypeMismatch }
            return bytes
        }
        switch condition {
        case .equal(let value):
            sql += " AND sk = ?"; arguments.append(.blob(try encoded(value)))
        case .less(let value):
            sql += " AND sk < ?"; arguments.append(.blob(try encoded(value)))
        case .lessOrEqual(let value):
            sql += " AND sk <= ?"; arguments.append(.blob(try encoded(value)))
        case .greater(let value):
            sql += " AND sk > ?"; arguments.append(.blob(try encoded(value)))
        case .greaterOrEqual(let value):
            sql += " AND sk >= ?"; arguments.append(.blob(try encoded(value)))
        case .between(let low, let high):
            sql += " AND sk >= ?"; arguments.append(.blob(try encoded(low)))
            sql += " AND sk <= ?"; arguments.append(.blob(try encoded(high)))
        case .beginsWith(let value):
            guard sortKey.type != .number else { throw beginsWithNumber }
            let prefix = try encoded(value)
            sql += " AND sk >= ?"; arguments.append(.blob(prefix))
            if let successor = Self.prefixSuccessor(prefix) {
                sql += " AND sk < ?"; arguments.append(.blob(successor))
            }
        }
    }

    /// The smallest byte string greater than every string starting with `prefix`, or nil if there is none.
    static func prefixSuccessor(_ prefix: [UInt8]) -> [UInt8]? {
        var bytes = prefix
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }
}

extension ConditionExpression {
    /// The top-level attribute names the condition reads, in order of appearance, without repeats.
    /// Query uses it to refuse filters on key attributes.
    public var topLevelNames: [String] {
        var names: [String] = []
        func visit(_ operand: Operand) {
            switch operand {
            case .path(let path):
                if let name = path.topLevelName, !names.contains(name) { names.append(name) }
            case .function(_, let arguments):
                arguments.forEach(visit)
            case .value, .placeholder:
                break
            }
        }
        func visit(_ node: ConditionNode) {
            switch node {
            case .compare(_, let a, let b): visit(a); visit(b)
            case .between(let a, let b, let c): visit(a); visit(b); visit(c)
            case .inList(let a, let list): visit(a); list.forEach(visit)
            case .function(_, let arguments): arguments.forEach(visit)
            case .and(let a, let b), .or(let a, let b): visit(a); visit(b)
            case .not(let a): visit(a)
            }
        }
        visit(root)
        return names
    }
}
