/// A Query's key condition: equality on the partition key and an optional sort-key condition,
/// from a `KeyConditionExpression` or legacy `KeyConditions`.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
public struct KeyCondition: Sendable, Hashable {
    /// A condition on the sort key.
    public enum SortCondition: Sendable, Hashable {
        case equal(AttributeValue)
        case less(AttributeValue)
        case lessOrEqual(AttributeValue)
        case greater(AttributeValue)
        case greaterOrEqual(AttributeValue)
        case between(AttributeValue, AttributeValue)
        case beginsWith(AttributeValue)

        /// Whether a sort-key value satisfies the condition.
        public func matches(_ value: AttributeValue) -> Bool {
            func order(_ other: AttributeValue) -> Int? { ValueOrder.compare(value, other) }
            switch self {
            case .equal(let v): return order(v) == 0
            case .less(let v): return order(v).map { $0 < 0 } ?? false
            case .lessOrEqual(let v): return order(v).map { $0 <= 0 } ?? false
            case .greater(let v): return order(v).map { $0 > 0 } ?? false
            case .greaterOrEqual(let v): return order(v).map { $0 >= 0 } ?? false
            case .between(let low, let high):
                return (order(low).map { $0 >= 0 } ?? false) && (order(high).map { $0 <= 0 } ?? false)
            case .beginsWith(let prefix):
                switch (value, prefix) {
                case (.string(let s), .string(let p)): return s.utf8.starts(with: p.utf8)
                case (.binary(let b), .binary(let p)): return b.starts(with: p)
                default: return false
                }
            }
        }
    }

    public var partitionValue: AttributeValue
    public var sortCondition: SortCondition?
    /// A multi-attribute partition key: the values of the HASH attributes after the first, in key
    /// schema order. Empty for an ordinary key.
    public var additionalPartitionValues: [AttributeValue] = []
    /// A multi-attribute sort key: the values the first sort attributes equal, in key schema
    /// order; `sortCondition` is on the attribute after them. Empty for an ordinary key.
    public var sortPrefix: [AttributeValue] = []

    public init(partitionValue: AttributeValue, sortCondition: SortCondition?) {
        self.partitionValue = partitionValue
        self.sortCondition = sortCondition
    }

    /// Parses a KeyConditionExpression for a table or index with the given key schema, which
    /// may have multi-attribute keys (global secondary indexes only).
    public static func parse(_ text: String, attributes: inout ExpressionAttributes, schema: KeySchema) throws(KVError) -> KeyCondition {
        guard schema.isMultiAttribute else {
            return try parse(text, attributes: &attributes, partitionKey: schema.partitionKey.name, sortKey: schema.sortKey?.name)
        }
        return try plan(try terms(of: text, attributes: &attributes).terms, schema: schema)
    }

    /// The condition on each key attribute a KeyConditionExpression names, and their order.
    private static func terms(of text: String, attributes: inout ExpressionAttributes) throws(KVError)
        -> (terms: [String: (op: String, values: [AttributeValue])], order: [String])
    {
        let (node, parseDiagnostics) = try ParseCache.shared.condition(text, kind: .keyCondition)
        let resolved = try ConditionExpression.resolve(node, parseDiagnostics, kind: .keyCondition, attributes: &attributes)
        var terms: [String: (op: String, values: [AttributeValue])] = [:]
        var order: [String] = []
        try collect(resolved, into: &terms, order: &order)
        return (terms, order)
    }

    /// The key condition on a multi-attribute key: equality on every partition attribute, then
    /// conditions on the sort attributes from left to right without a gap, equality on all but
    /// the last one given, which may also be a range or begins_with.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
    static func plan(_ terms: [String: (op: String, values: [AttributeValue])], schema: KeySchema) throws(KVError) -> KeyCondition {
        var partitionValues: [AttributeValue] = []
        for attribute in schema.partitionKeys {
            guard let term = terms[attribute.name] else {
                throw invalid("Query condition missed key schema element: \(attribute.name)")
            }
            guard term.op == "=", let value = term.values.first else { throw invalid("Query key condition not supported") }
            partitionValues.append(value)
        }
        let sortKeys = schema.sortKeys
        // The sort attributes named, which must be the first `given` ones in key schema order.
        let given = sortKeys.prefix { terms[$0.name] != nil }.count
        let named = terms.count - partitionValues.count
        if named > given {
            // A later sort attribute (or a non-key attribute) without the ones before it.
            guard given < sortKeys.count else { throw invalid("Query key condition not supported") }
            throw invalid("Query condition missed key schema element: \(sortKeys[given].name)")
        }
        guard let first = partitionValues.first else { throw invalid("Query key condition not supported") }
        var condition = KeyCondition(partitionValue: first, sortCondition: nil)
        condition.additionalPartitionValues = Array(partitionValues.dropFirst())
        for (position, attribute) in sortKeys.prefix(given).enumerated() {
            guard let term = terms[attribute.name] else { continue }
            if position == given - 1 {
                condition.sortCondition = try sortCondition(term.op, term.values)
            } else {
                guard term.op == "=" || term.op == "EQ", let value = term.values.first else {
                    throw invalid("Query key condition not supported")
                }
                condition.sortPrefix.append(value)
            }
        }
        return condition
    }

    /// Parses a KeyConditionExpression for a table or index with the given key names.
    /// Value types against the key schema are the caller's check (it knows the attribute types).
    public static func parse(
        _ text: String, attributes: inout ExpressionAttributes, partitionKey: String, sortKey: String?
    ) throws(KVError) -> KeyCondition {
        let (terms, order) = try terms(of: text, attributes: &attributes)
        return try build(terms, order: order, partitionKey: partitionKey, sortKey: sortKey)
    }

    private static func invalid(_ message: String) -> KVError { KVError.validation(message) }

    private static func collect(
        _ node: ConditionNode, into terms: inout [String: (op: String, values: [AttributeValue])], order: inout [String]
    ) throws(KVError) {
        let op: String
        var operands: [Operand]
        switch node {
        case .and(let a, let b):
            try collect(a, into: &terms, order: &order)
            try collect(b, into: &terms, order: &order)
            return
        case .or: throw invalid("Invalid operator used in KeyConditionExpression: OR")
        case .not: throw invalid("Invalid operator used in KeyConditionExpression: NOT")
        case .inList: throw invalid("Invalid operator used in KeyConditionExpression: IN")
        case .compare(.notEqual, _, _): throw invalid("Invalid operator used in KeyConditionExpression: <>")
        case .compare(let comparator, let a, let b):
            op = comparator.rawValue
            operands = [a, b]
        case .between(let a, let b, let c):
            guard a.isPath else {
                throw invalid(
                    "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
            }
            op = "BETWEEN"
            operands = [a, b, c]
        case .function("begins_with", let arguments):
            guard arguments.first?.isPath == true else {
                throw invalid(
                    "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand")
            }
            op = "begins_with"
            operands = arguments
        case .function(let name, _):
            throw invalid("Invalid operator used in KeyConditionExpression: \(name)")
        }
        var name: String?
        var flipped = false
        var values: [AttributeValue] = []
        for (offset, operand) in operands.enumerated() {
            switch operand {
            case .path(let path):
                if name != nil {
                    throw invalid("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
                }
                guard path.elements.count == 1, let top = path.topLevelName else {
                    throw invalid("KeyConditionExpressions cannot have conditions on nested attributes")
                }
                name = top
                flipped = offset != 0
            case .value(let value):
                values.append(value)
            case .function:
                throw invalid("KeyConditionExpressions cannot contain nested operations")
            case .placeholder:
                break
            }
        }
        guard let name else { throw invalid("Invalid condition in KeyConditionExpression: No key attribute specified") }
        if terms[name] != nil { throw invalid("KeyConditionExpressions must only contain one condition per key") }
        let flips = ["<": ">", "<=": ">=", ">": "<", ">=": "<="]
        terms[name] = (flipped ? (flips[op] ?? op) : op, values)
        order.append(name)
    }

    private static func build(
        _ terms: [String: (op: String, values: [AttributeValue])], order: [String], partitionKey: String, sortKey: String?
    ) throws(KVError) -> KeyCondition {
        guard let partition = terms[partitionKey] else {
            throw invalid("Query condition missed key schema element: \(partitionKey)")
        }
        guard partition.op == "=", let partitionValue = partition.values.first else {
            throw invalid("Query key condition not supported")
        }
        guard terms.count > 1 else { return KeyCondition(partitionValue: partitionValue, sortCondition: nil) }
        guard let sortKey else { throw invalid("Query key condition not supported") }
        guard terms.count == 2, let sort = terms[sortKey] else {
            throw invalid("Query condition missed key schema element: \(sortKey)")
        }
        return KeyCondition(partitionValue: partitionValue, sortCondition: try sortCondition(sort.op, sort.values))
    }

    static func sortCondition(_ op: String, _ values: [AttributeValue]) throws(KVError) -> SortCondition {
        switch (op, values.count) {
        case ("=", 1), ("EQ", 1): return .equal(values[0])
        case ("<", 1), ("LT", 1): return .less(values[0])
        case ("<=", 1), ("LE", 1): return .lessOrEqual(values[0])
        case (">", 1), ("GT", 1): return .greater(values[0])
        case (">=", 1), ("GE", 1): return .greaterOrEqual(values[0])
        case ("BETWEEN", 2): return .between(values[0], values[1])
        case ("begins_with", 1), ("BEGINS_WITH", 1): return .beginsWith(values[0])
        default: throw invalid("Query key condition not supported")
        }
    }

    /// Legacy `KeyConditions` for a key schema that may have multi-attribute keys.
    public static func legacy(_ conditions: [String: ExpectedCondition], schema: KeySchema) throws(KVError) -> KeyCondition {
        guard schema.isMultiAttribute else {
            return try legacy(conditions, partitionKey: schema.partitionKey.name, sortKey: schema.sortKey?.name)
        }
        return try plan(try legacyTerms(conditions), schema: schema)
    }

    /// The condition on each attribute of legacy `KeyConditions`, their arguments checked.
    private static func legacyTerms(_ conditions: [String: ExpectedCondition]) throws(KVError)
        -> [String: (op: String, values: [AttributeValue])]
    {
        var terms: [String: (op: String, values: [AttributeValue])] = [:]
        for name in conditions.keys.sorted() {
            guard let condition = conditions[name] else { continue }
            let op = condition.comparisonOperator ?? ""
            let values = condition.attributeValueList ?? []
            try LegacyConditions.validateArguments(op, values)
            terms[name] = (op == "EQ" ? "=" : op, values)
        }
        return terms
    }

    /// Legacy `KeyConditions`: attribute name -> ComparisonOperator + AttributeValueList.
    public static func legacy(
        _ conditions: [String: ExpectedCondition], partitionKey: String, sortKey: String?
    ) throws(KVError) -> KeyCondition {
        if conditions.count > 2 { throw invalid("Conditions can be of length 1 or 2 only") }
        let terms = try legacyTerms(conditions)
        guard let partition = terms[partitionKey] else {
            throw invalid("Query condition missed key schema element: \(partitionKey)")
        }
        guard partition.op == "=", let partitionValue = partition.values.first else {
            throw invalid("Query key condition not supported")
        }
        guard terms.count > 1 else { return KeyCondition(partitionValue: partitionValue, sortCondition: nil) }
        guard let sortKey, let sort = terms[sortKey] else {
            throw invalid("Query condition missed key schema element: \(sortKey ?? partitionKey)")
        }
        return KeyCondition(partitionValue: partitionValue, sortCondition: try sortCondition(sort.op, sort.values))
    }
}
