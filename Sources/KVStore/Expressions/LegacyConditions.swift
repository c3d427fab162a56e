/// One entry of legacy `Expected`, `QueryFilter`, `ScanFilter` or `KeyConditions`.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
public struct ExpectedCondition: Sendable, Hashable {
    public var exists: Bool?
    public var value: AttributeValue?
    public var comparisonOperator: String?
    public var attributeValueList: [AttributeValue]?

    public init(
        exists: Bool? = nil, value: AttributeValue? = nil, comparisonOperator: String? = nil,
        attributeValueList: [AttributeValue]? = nil
    ) {
        self.exists = exists
        self.value = value
        self.comparisonOperator = comparisonOperator
        self.attributeValueList = attributeValueList
    }
}

/// One entry of legacy `AttributeUpdates`.
public struct AttributeUpdate: Sendable, Hashable {
    public var action: String?
    public var value: AttributeValue?

    public init(action: String? = nil, value: AttributeValue? = nil) {
        self.action = action
        self.value = value
    }
}

/// Legacy parameters translated into the expression AST, so one evaluator serves both.
public enum LegacyConditions {
    static let operators = [
        "EQ", "NE", "LE", "LT", "GE", "GT", "NOT_NULL", "NULL", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH", "IN", "BETWEEN",
    ]

    /// Operators a KeyConditions entry may not use.
    static let nonIndexable: Set<String> = ["NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN"]

    /// The ComparisonOperator enum, checked case-sensitively like every enum of the API.
    static func checkOperator(_ op: String, at path: String) throws(KVError) {
        guard operators.contains(op) else {
            throw KVError.constraints([
                "Value '\(op)' at '\(path)' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
            ])
        }
    }

    private static func invalid(_ message: String) -> KVError {
        KVError.validation("One or more parameter values were invalid: " + message)
    }

    /// `Expected` (+ `ConditionalOperator`) on writes, or `QueryFilter`/`ScanFilter` on reads
    /// (`parameter` names it in shape errors); both check the operand types per ComparisonOperator.
    public static func condition(
        _ expected: [String: ExpectedCondition], conditionalOperator: String?, parameter: String = "Expected"
    ) throws(KVError) -> ConditionExpression {
        let field = parameter.prefix(1).lowercased() + parameter.dropFirst()
        let joinWithOr: Bool
        switch conditionalOperator {
        case nil, "AND": joinWithOr = false
        case "OR": joinWithOr = true
        case let other?:
            throw KVError.constraints([
                "Value '\(other)' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy enum value set: [AND, OR]"
            ])
        }
        var nodes: [ConditionNode] = []
        for name in expected.keys.sorted() {
            guard let condition = expected[name] else { continue }
            nodes.append(try translate(name, condition, field: field))
        }
        guard var root = nodes.first else { return ConditionExpression(root: .not(.function("attribute_exists", []))) }
        for node in nodes.dropFirst() { root = joinWithOr ? .or(root, node) : .and(root, node) }
        return ConditionExpression(root: root)
    }

    private static func translate(_ name: String, _ condition: ExpectedCondition, field: String) throws(KVError) -> ConditionNode {
        let path = Operand.path(DocumentPath(attribute: name))
        if condition.attributeValueList != nil, condition.value != nil {
            throw invalid("Value and AttributeValueList cannot be used together for Attribute: \(name)")
        }
        guard let op = condition.comparisonOperator else {
            if condition.attributeValueList != nil {
                throw invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: \(name)")
            }
            let exists = condition.exists ?? true
            if exists, condition.value == nil {
                throw invalid(
                    "Value must be provided when Exists is \(condition.exists == nil ? "null" : "true") for Attribute: \(name)")
            }
            if !exists, condition.value != nil {
                throw invalid("Value cannot be used when Exists is false for Attribute: \(name)")
            }
            if let value = condition.value { return .compare(.equal, path, .value(value)) }
            return .function("attribute_not_exists", [path])
        }
        if condition.exists != nil {
            throw invalid("Exists and ComparisonOperator cannot be used together for Attribute: \(name)")
        }
        try checkOperator(op, at: "\(field).\(name).member.comparisonOperator")
        if op != "NULL", op != "NOT_NULL", condition.attributeValueList == nil, condition.value == nil {
            throw invalid("Value or AttributeValueList must be used with ComparisonOperator: \(op) for Attribute: \(name)")
        }
        let values = condition.attributeValueList ?? condition.value.map { [$0] } ?? []
        try validateArguments(op, values, checkTypes: true)
        let operands = values.map(Operand.value)
        switch op {
        case "EQ": return .compare(.equal, path, operands[0])
        case "NE": return .compare(.notEqual, path, operands[0])
        case "LE": return .compare(.lessOrEqual, path, operands[0])
        case "LT": return .compare(.less, path, operands[0])
        case "GE": return .compare(.greaterOrEqual, path, operands[0])
        case "GT": return .compare(.greater, path, operands[0])
        case "NOT_NULL": return .function("attribute_exists", [path])
        case "NULL": return .function("attribute_not_exists", [path])
        case "CONTAINS": return .function("contains", [path, operands[0]])
        case "NOT_CONTAINS":
            // Legacy NOT_CONTAINS is false for a missing attribute.
            return .and(.function("attribute_exists", [path]), .not(.function("contains", [path, operands[0]])))
        case "BEGINS_WITH": return .function("begins_with", [path, operands[0]])
        case "IN": return .inList(path, operands)
        default: return .between(path, operands[0], operands[1])
        }
    }

    /// Argument count, same-type and BETWEEN-order rules of legacy comparison operators.
    static func validateArguments(_ op: String, _ values: [AttributeValue], checkTypes: Bool = false) throws(KVError) {
        let countIsValid: Bool
        switch op {
        case "EQ", "NE", "LE", "LT", "GE", "GT", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH": countIsValid = values.count == 1
        case "NULL", "NOT_NULL": countIsValid = values.isEmpty
        case "IN": countIsValid = !values.isEmpty
        case "BETWEEN": countIsValid = values.count == 2
        default: countIsValid = false
        }
        if !countIsValid { throw invalid("Invalid number of argument(s) for the \(op) ComparisonOperator") }
        if let first = values.first, values.contains(where: { $0.typeDescriptor != first.typeDescriptor }) {
            throw invalid("AttributeValues inside AttributeValueList must be of same type")
        }
        if checkTypes {
            // EQ and NE compare any two values (BOOL, NULL, L and M included); CONTAINS takes a
            // scalar, BOOL or NULL element (the types dynalite's test/query.js and scan.js find
            // DynamoDB refusing are SS, NS, BS, M and L; the DAX client's
            // _check_valid_BSNBoolNull_types agrees); ordering operators take S, N or B.
            let allowed: [String]
            switch op {
            case "EQ", "NE": allowed = ["S", "N", "B", "SS", "NS", "BS", "BOOL", "NULL", "L", "M"]
            case "CONTAINS", "NOT_CONTAINS": allowed = ["S", "N", "B", "BOOL", "NULL"]
            case "BEGINS_WITH": allowed = ["S", "B"]
            case "NULL", "NOT_NULL": allowed = []
            default: allowed = ["S", "N", "B"]
            }
            for value in values where !allowed.contains(value.typeDescriptor) {
                throw invalid("ComparisonOperator \(op) is not valid for \(value.typeDescriptor) AttributeValue type")
            }
        }
        if op == "BETWEEN", let order = ValueOrder.compare(values[0], values[1]), order > 0 {
            throw KVError.validation(
                "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
        }
    }

    /// `AttributeUpdates`: PUT (default) sets, ADD adds numbers/sets (appends lists), DELETE without a
    /// value removes the attribute and with a set value removes its elements.
    public static func update(_ updates: [String: AttributeUpdate]) throws(KVError) -> UpdateExpression {
        var actions: [UpdateAction] = []
        for name in updates.keys.sorted() {
            guard let update = updates[name] else { continue }
            let path = DocumentPath(attribute: name)
            let action = update.action ?? "PUT"
            guard ["PUT", "ADD", "DELETE"].contains(action) else {
                throw KVError.constraints([
                    "Value '\(action)' at 'attributeUpdates.\(name).member.action' failed to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]"
                ])
            }
            guard let value = update.value else {
                if action != "DELETE" { throw invalid("Only DELETE action is allowed when no attribute value is specified") }
                actions.append(.remove(path))
                continue
            }
            let type = value.typeDescriptor
            switch action {
            case "DELETE":
                guard ["SS", "NS", "BS"].contains(type) else {
                    throw invalid("DELETE action with value is not supported for the type \(type)")
                }
                actions.append(.delete(path, .value(value)))
            case "ADD":
                guard ["SS", "NS", "BS", "N", "L"].contains(type) else {
                    throw invalid("ADD action is not supported for the type \(type)")
                }
                actions.append(.add(path, .value(value)))
            default:
                actions.append(.set(path, .value(value)))
            }
        }
        return UpdateExpression(actions: actions, isLegacy: true)
    }
}
