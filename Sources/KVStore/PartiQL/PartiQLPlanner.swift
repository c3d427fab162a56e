/// Decides which engine operation answers a statement, from its WHERE clause and the key
/// schema of the table or index it names: DynamoDB's PartiQL planning rules.
///
/// - A SELECT whose WHERE fixes the whole primary key of the table with `=` is a GetItem.
/// - One that fixes the partition key (of the table or the named index) is a Query; one
///   condition on the sort key (`=`, `<`, `<=`, `>`, `>=`, BETWEEN, begins_with) becomes its key
///   condition.
/// - Anything else is a Scan.
/// In every case the whole WHERE also filters the items read, so the plan only narrows the read.
/// - UPDATE and DELETE must fix every key attribute with `=`; the rest of the WHERE becomes the
///   write's condition.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
/// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.update.html
enum PartiQLPlanner {
    enum ReadPlan: Equatable {
        case getItem(key: Item)
        case query(partition: AttributeValue, sort: KeyCondition.SortCondition?)
        /// `pk IN [...]`: one Query per partition key value, in the order written.
        case partitions([AttributeValue], sort: KeyCondition.SortCondition?)
        case scan
    }

    /// The conjuncts of a condition joined by AND at its top level.
    static func conjuncts(_ node: ConditionNode?) -> [ConditionNode] {
        guard let node else { return [] }
        if case .and(let left, let right) = node { return conjuncts(left) + conjuncts(right) }
        return [node]
    }

    /// The value `name = value` (either way round) fixes, if the node is such an equality.
    static func equality(_ node: ConditionNode, on name: String) -> AttributeValue? {
        guard case .compare(.equal, let left, let right) = node else { return nil }
        switch (left, right) {
        case (.path(let path), .value(let value)), (.value(let value), .path(let path)):
            return path.elements == [.attribute(name)] ? value : nil
        default:
            return nil
        }
    }

    static func read(_ condition: ConditionNode?, schema: KeySchema, isIndex: Bool) -> ReadPlan {
        let terms = conjuncts(condition)
        guard
            let partition = terms.lazy.compactMap({ equality($0, on: schema.partitionKey.name) }).first,
            partition.scalarType == schema.partitionKey.type
        else {
            guard let values = terms.lazy.compactMap({ membership($0, of: schema.partitionKey) }).first else { return .scan }
            let sort = schema.sortKey.flatMap { key in terms.lazy.compactMap { sortCondition($0, on: key) }.first }
            return .partitions(values, sort: sort)
        }
        guard let sortKey = schema.sortKey else {
            return isIndex ? .query(partition: partition, sort: nil) : .getItem(key: [schema.partitionKey.name: partition])
        }
        if !isIndex, let sort = terms.lazy.compactMap({ equality($0, on: sortKey.name) }).first, sort.scalarType == sortKey.type {
            return .getItem(key: [schema.partitionKey.name: partition, sortKey.name: sort])
        }
        let sort = terms.lazy.compactMap { sortCondition($0, on: sortKey) }.first
        return .query(partition: partition, sort: sort)
    }

    /// The distinct values of `key IN [...]`, or of `key = a OR key = b ...`, when every one has
    /// the key's type.
    static func membership(_ node: ConditionNode, of key: KeyAttribute) -> [AttributeValue]? {
        var members: [Operand] = []
        if case .inList(.path(let path), let list) = node, path.elements == [.attribute(key.name)] {
            members = list
        } else if case .or = node {
            func collect(_ node: ConditionNode) -> Bool {
                if case .or(let left, let right) = node { return collect(left) && collect(right) }
                guard let value = equality(node, on: key.name) else { return false }
                members.append(.value(value))
                return true
            }
            guard collect(node) else { return nil }
        } else {
            return nil
        }
        var values: [AttributeValue] = []
        for member in members {
            guard case .value(let value) = member, value.scalarType == key.type else { return nil }
            if !values.contains(value) { values.append(value) }
        }
        return values.isEmpty ? nil : values
    }

    /// A conjunct usable as a Query's sort-key condition.
    static func sortCondition(_ node: ConditionNode, on key: KeyAttribute) -> KeyCondition.SortCondition? {
        func isKey(_ operand: Operand) -> Bool {
            if case .path(let path) = operand { return path.elements == [.attribute(key.name)] }
            return false
        }
        func typed(_ operand: Operand) -> AttributeValue? {
            if case .value(let value) = operand, value.scalarType == key.type { return value }
            return nil
        }
        switch node {
        case .compare(let comparator, let left, let right):
            let value: AttributeValue
            let flipped: Bool
            if isKey(left), let right = typed(right) {
                value = right
                flipped = false
            } else if isKey(right), let left = typed(left) {
                value = left
                flipped = true
            } else {
                return nil
            }
            switch (comparator, flipped) {
            case (.equal, _): return .equal(value)
            case (.less, false), (.greater, true): return .less(value)
            case (.lessOrEqual, false), (.greaterOrEqual, true): return .lessOrEqual(value)
            case (.greater, false), (.less, true): return .greater(value)
            case (.greaterOrEqual, false), (.lessOrEqual, true): return .greaterOrEqual(value)
            case (.notEqual, _): return nil
            }
        case .between(let subject, let low, let high):
            guard isKey(subject), let low = typed(low), let high = typed(high),
                let order = ValueOrder.compare(low, high), order <= 0
            else { return nil }
            return .between(low, high)
        case .function("begins_with", let arguments):
            guard arguments.count == 2, isKey(arguments[0]), key.type != .number, let prefix = typed(arguments[1]) else {
                return nil
            }
            return .beginsWith(prefix)
        default:
            return nil
        }
    }

    /// The key an UPDATE, DELETE or transactional read names, and the rest of its WHERE.
    /// Every key attribute needs exactly one `=` at the top level of the WHERE.
    static func writeKey(_ condition: ConditionNode?, schema: KeySchema) throws(KVError) -> (key: Item, rest: ConditionNode?) {
        var terms = conjuncts(condition)
        var key: Item = [:]
        for attribute in schema.attributes {
            let matches = terms.indices.filter { equality(terms[$0], on: attribute.name) != nil }
            guard let first = matches.first, let value = equality(terms[first], on: attribute.name) else {
                throw PartiQLError.incompleteKey
            }
            guard matches.count == 1 else {
                throw KVError.validation(
                    "Multiple conditions on same key \(attribute.name). Only single item Update/Insert/Delete are supported")
            }
            guard value.scalarType == attribute.type else { throw PartiQLError.keyTypeMismatch(attribute.name) }
            key[attribute.name] = value
            terms.remove(at: first)
        }
        return (key, ConditionExpression.and(terms))
    }
}
