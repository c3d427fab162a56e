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
        let sort: SortKeyBounds
        if schema.additionalSortKeys != nil {
            sort = try Self.multiAttributeSortBounds(request, sortKeys: schema.sortKeys)
        } else {
            sort = try Self.sortBounds(request.sortKeyCondition, sortKey: schema.sortKey)
        }
        var start: RangePosition?
        if let exclusiveStartKey = request.options.exclusiveStartKey {
            let position = try source.startPosition(exclusiveStartKey, isQuery: true)
            if position.partition != partition {
                throw KVError.validation("The provided starting key is outside query boundaries based on provided conditions")
            }
            start = position
        }
        let range = ItemRange.partition(
            partition, sort: sort, of: source.index, start: start, order: request.scanIndexForward ? .ascending : .descending)
        // A Limit above the budget means the page will likely outgrow it; without one, the
        // partition is often small enough.
        let mayFitInline = (request.options.limit ?? 0) <= InlineReadBudget.inline.rows
        return try await readPage(source: source, options: request.options, mayFitInline: mayFitInline, range: range)
    }

    static var conditionTypeMismatch: KVError {
        .validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
    }

    static var beginsWithNumber: KVError {
        .validation(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
    }

    /// The bounds a condition on a single-attribute sort key puts on the stored sort key (the
    /// attribute's `KeyEncoding` bytes, whose byte order is DynamoDB's order).
    static func sortBounds(_ condition: KeyCondition.SortCondition?, sortKey: KeyAttribute?) throws(KVError) -> SortKeyBounds {
        guard let condition else { return .all }
        guard let sortKey else { throw KVError.validation("Query key condition not supported") }
        func encoded(_ value: AttributeValue) throws(KVError) -> [UInt8] {
            guard value.scalarType == sortKey.type, let bytes = KeyEncoding.encode(value) else { throw conditionTypeMismatch }
            return bytes
        }
        switch condition {
        case .equal(let value):
            return .equal(try encoded(value))
        case .less(let value):
            return .range(lower: nil, upper: .exclusive(try encoded(value)))
        case .lessOrEqual(let value):
            return .range(lower: nil, upper: .inclusive(try encoded(value)))
        case .greater(let value):
            return .range(lower: .exclusive(try encoded(value)), upper: nil)
        case .greaterOrEqual(let value):
            return .range(lower: .inclusive(try encoded(value)), upper: nil)
        case .between(let low, let high):
            return .range(lower: .inclusive(try encoded(low)), upper: .inclusive(try encoded(high)))
        case .beginsWith(let value):
            guard sortKey.type != .number else { throw beginsWithNumber }
            return .prefixed(by: try encoded(value))
        }
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
