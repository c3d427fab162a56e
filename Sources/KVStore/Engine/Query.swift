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
        var sql: String
        var arguments: [PageReader.Argument]
        if schema.isMultiAttribute {
            partition = try Self.multiAttributePartition(request, schema: schema)
            sql = "SELECT \(source.pageColumns) FROM \(source.sqlTableName) WHERE h = ? AND pk = ?"
            arguments = [.integer(PartitionHash.of(partition)), .blob(partition)]
            if schema.sortKeys.count > 1 {
                try Self.appendMultiAttributeSortRange(request, sortKeys: schema.sortKeys, to: &sql, &arguments)
            } else {
                try Self.appendSortCondition(request.sortKeyCondition, sortKey: schema.sortKey, to: &sql, &arguments)
            }
        } else {
            guard request.partitionKeyValue.scalarType == schema.partitionKey.type,
                let encoded = KeyEncoding.encode(request.partitionKeyValue)
            else { throw Self.conditionTypeMismatch }
            partition = encoded
            // Appended to in place: SQL is built for every request, then found in the statement cache.
            sql = "SELECT \(source.pageColumns) FROM \(source.sqlTableName) WHERE h = ? AND pk = ?"
            arguments = [.integer(PartitionHash.of(partition)), .blob(partition)]
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

    /// The stored partition bytes of a Query on a multi-attribute partition key.
    static func multiAttributePartition(_ request: QueryRequest, schema: KeySchema) throws(KVError) -> [UInt8] {
        let values = [request.partitionKeyValue] + request.additionalPartitionKeyValues
        let attributes = schema.partitionKeys
        guard values.count == attributes.count else { throw KVError.validation("Query key condition not supported") }
        var encoded: [[UInt8]] = []
        for (value, attribute) in zip(values, attributes) {
            guard value.scalarType == attribute.type, let bytes = KeyEncoding.encode(value) else { throw conditionTypeMismatch }
            encoded.append(bytes)
        }
        if encoded.count == 1, let only = encoded.first { return only }
        return CompositeKeyEncoding.encode(encoded)
    }

    /// The `sk` range of a Query on a sort key of several attributes: the prefix equalities and
    /// the condition on the next attribute make one byte range (see `CompositeKeyEncoding`).
    static func appendMultiAttributeSortRange(
        _ request: QueryRequest, sortKeys: [KeyAttribute], to sql: inout String, _ arguments: inout [PageReader.Argument]
    ) throws(KVError) {
        guard let range = try sortRange(prefix: request.sortKeyPrefix, condition: request.sortKeyCondition, sortKeys: sortKeys) else { return }
        if let lower = range.lower { sql += " AND sk >= ?"; arguments.append(.blob(lower)) }
        if let upper = range.upper { sql += " AND sk < ?"; arguments.append(.blob(upper)) }
    }

    /// The half-open byte range `[lower, upper)` of the `sk` values a multi-attribute sort
    /// condition selects (nil bound: unbounded); nil when it selects the whole partition.
    static func sortRange(
        prefix: [AttributeValue], condition: KeyCondition.SortCondition?, sortKeys: [KeyAttribute]
    ) throws(KVError) -> (lower: [UInt8]?, upper: [UInt8]?)? {
        let conditioned = prefix.count + (condition == nil ? 0 : 1)
        guard conditioned <= sortKeys.count else { throw KVError.validation("Query key condition not supported") }
        func encoded(_ value: AttributeValue, _ attribute: KeyAttribute) throws(KVError) -> [UInt8] {
            guard value.scalarType == attribute.type, let bytes = KeyEncoding.encode(value) else { throw conditionTypeMismatch }
            return bytes
        }
        var base: [UInt8] = []
        for (value, attribute) in zip(prefix, sortKeys) {
            CompositeKeyEncoding.appendComponent(try encoded(value, attribute), to: &base)
        }
        guard let condition else { return base.isEmpty ? nil : (base, prefixSuccessor(base)) }
        let attribute = sortKeys[prefix.count]
        func with(_ value: AttributeValue) throws(KVError) -> [UInt8] {
            var bytes = base
            CompositeKeyEncoding.appendComponent(try encoded(value, attribute), to: &bytes)
            return bytes
        }
        let below: [UInt8]? = base.isEmpty ? nil : base
        let above: [UInt8]? = base.isEmpty ? nil : prefixSuccessor(base)
        switch condition {
        case .equal(let value):
            let bytes = try with(value)
            return (bytes, prefixSuccessor(bytes))
        case .less(let value):
            return (below, try with(value))
        case .lessOrEqual(let value):
            return (below, prefixSuccessor(try with(value)))
        case .greater(let value):
            return (prefixSuccessor(try with(value)), above)
        case .greaterOrEqual(let value):
            return (try with(value), above)
        case .between(let low, let high):
            return (try with(low), prefixSuccessor(try with(high)))
        case .beginsWith(let value):
            guard attribute.type != .number else { throw beginsWithNumber }
            var bytes = base
            CompositeKeyEncoding.appendEscaped(try encoded(value, attribute), to: &bytes)
            return (bytes, prefixSuccessor(bytes))
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
