/// Binds a parsed statement's `?` parameters and lowers its expressions into the engine's one
/// expression AST (`ConditionNode`, `Operand`, `UpdateAction`): PartiQL runs through the same
/// evaluator as ConditionExpression and UpdateExpression, never a second one.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-functions.html
/// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-operators.html
struct PartiQLBinder {
    let parameters: [AttributeValue]

    /// Functions usable as conditions in WHERE, and their operand counts.
    static let conditionFunctions: [String: Int] = [
        "begins_with": 2, "contains": 2, "attribute_type": 2, "attribute_exists": 1, "attribute_not_exists": 1,
    ]

    // MARK: - Values

    /// DynamoDB's 32 levels of list/map nesting (the AttributeValue wire decoder's rule and text).
    static let maxNesting = 32

    /// A constant: a literal, a parameter, or a list / tuple / bag of constants.
    func value(_ expression: PartiQLExpression, depth: Int = 0) throws(KVError) -> AttributeValue {
        if depth >= Self.maxNesting {
            throw KVError.validation(
                "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
        }
        switch expression {
        case .literal(let value):
            return value
        case .parameter(let index):
            guard index < parameters.count else { throw PartiQLError.parameterCount }
            return parameters[index]
        case .list(let elements):
            var values: [AttributeValue] = []
            for element in elements { values.append(try value(element, depth: depth + 1)) }
            return .list(values)
        case .tuple(let members):
            var map: [String: AttributeValue] = [:]
            for member in members { map[member.key] = try value(member.value, depth: depth + 1) }
            return .map(map)
        case .bag(let elements):
            return try bag(elements)
        case .missing:
            throw PartiQLError.missingCompare
        case .path, .call, .arithmetic, .compare, .between, .inList, .and, .or, .not, .isMissing, .isNull, .isType:
            throw PartiQLError.unsupported("\(Self.kindName(expression)) as a value")
        }
    }

    /// `<<...>>`: strings make a string set, numbers a number set; nothing else, never empty.
    private func bag(_ elements: [PartiQLExpression]) throws(KVError) -> AttributeValue {
        guard !elements.isEmpty else { throw PartiQLError.emptyBag }
        var strings: [String] = []
        var numbers: [Number] = []
        for element in elements {
            guard case .literal(let literal) = element else { throw PartiQLError.bagTypes }
            switch literal {
            case .string(let text): strings.append(text)
            case .number(let number): numbers.append(number)
            default: throw PartiQLError.bagTypes
            }
        }
        if !strings.isEmpty && !numbers.isEmpty { throw PartiQLError.bagTypes }
        if !strings.isEmpty {
            guard Set(strings).count == strings.count else { throw KVError.validation("Input collection contains duplicates") }
            return .stringSet(strings)
        }
        guard Set(numbers).count == numbers.count else { throw KVError.validation("Input collection contains duplicates") }
        return .numberSet(numbers)
    }

    // MARK: - Operands and conditions

    func operand(_ expression: PartiQLExpression) throws(KVError) -> Operand {
        switch expression {
        case .path(let path):
            return .path(path)
        case .call(let name, let arguments):
            guard name == "size" || name == "list_append" || name == "if_not_exists" else {
                throw PartiQLError.unrecognizedFunction(name)
            }
            var operands: [Operand] = []
            for argument in arguments { operands.append(try operand(argument)) }
            return .function(name, operands)
        case .arithmetic(let op, let left, let right):
            return .function(op, [try operand(left), try operand(right)])
        case .literal, .parameter, .list, .tuple, .bag, .missing:
            return .value(try value(expression))
        case .compare, .between, .inList, .and, .or, .not, .isMissing, .isNull, .isType:
            throw PartiQLError.unsupported("\(Self.kindName(expression)) as an operand")
        }
    }

    func condition(_ expression: PartiQLExpression) throws(KVError) -> ConditionNode {
        switch expression {
        case .compare(let comparator, let left, let right):
            return .compare(comparator, try operand(left), try operand(right))
        case .between(let value, let low, let high):
            return .between(try operand(value), try operand(low), try operand(high))
        case .inList(let value, let members):
            guard !members.isEmpty, case .path = value else {
                throw KVError.validation(
                    "IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member"
                )
            }
            var operands: [Operand] = []
            for member in members { operands.append(try operand(member)) }
            return .inList(try operand(value), operands)
        case .and(let left, let right):
            return .and(try condition(left), try condition(right))
        case .or(let left, let right):
            return .or(try condition(left), try condition(right))
        case .not(let inner):
            return .not(try condition(inner))
        case .isMissing(let value, let negated):
            guard case .path(let path) = value else {
                throw KVError.validation("The left hand side argument to IS must be a Variable Reference, Literal, or Path")
            }
            return .function(negated ? "attribute_exists" : "attribute_not_exists", [.path(path)])
        case .isNull(let value, let negated):
            // PartiQL: `x IS NULL` holds for a NULL value and for a missing attribute.
            guard case .path(let path) = value else {
                throw KVError.validation("The left hand side argument to IS must be a Variable Reference, Literal, or Path")
            }
            let isNull = ConditionNode.or(
                .function("attribute_type", [.path(path), .value(.string("NULL"))]),
                .function("attribute_not_exists", [.path(path)]))
            return negated ? .not(isNull) : isNull
        case .isType(let value, let type, let negated):
            guard case .path(let path) = value else {
                throw KVError.validation("The left hand side argument to IS must be a Variable Reference, Literal, or Path")
            }
            let test = ConditionNode.function("attribute_type", [.path(path), .value(.string(type))])
            return negated ? .not(test) : test
        case .call(let name, let arguments):
            guard let count = Self.conditionFunctions[name] else { throw PartiQLError.unrecognizedFunction(name) }
            guard count == arguments.count else {
                throw KVError.validation(
                    "Incorrect number of operands for operator or function; operator or function: \(name), number of operands: \(arguments.count)")
            }
            var operands: [Operand] = []
            for argument in arguments { operands.append(try operand(argument)) }
            return .function(name, operands)
        case .missing:
            throw PartiQLError.missingCompare
        case .literal, .parameter, .path, .list, .tuple, .bag, .arithmetic:
            throw KVError.validation("WHERE clause must contain an expression that resolves to a boolean")
        }
    }

    // MARK: - Updates

    func update(_ assignments: [PartiQLAssignment]) throws(KVError) -> UpdateExpression {
        var actions: [UpdateAction] = []
        for assignment in assignments {
            switch assignment {
            case .remove(let path):
                actions.append(.remove(path))
            case .set(let path, .call(let name, let arguments)) where name == "set_add" || name == "set_delete":
                let upper = name == "set_add" ? "ADD" : "DELETE"
                guard arguments.count == 2 else { throw KVError.validation("SET_\(upper) must have exactly two arguments") }
                guard case .path(let first) = arguments[0], first == path else {
                    throw KVError.validation("The first argument to SET_\(upper) must equal the assignment value")
                }
                let set = try value(arguments[1])
                guard ["SS", "NS", "BS"].contains(set.typeDescriptor) else {
                    throw KVError.validation("The second argument to SET_\(upper) must be a value with type SET")
                }
                actions.append(name == "set_add" ? .add(path, .value(set)) : .delete(path, .value(set)))
            case .set(let path, let expression):
                actions.append(.set(path, try operand(expression)))
            }
        }
        let (overlap, conflict) = pathOverlapMessage(actions.map(\.path))
        if let message = overlap ?? conflict { throw KVError.validation("Invalid UpdateExpression: " + message) }
        return UpdateExpression(actions: actions)
    }

    private static func kindName(_ expression: PartiQLExpression) -> String {
        switch expression {
        case .path: "Path"
        case .call(let name, _): name
        case .arithmetic(let op, _, _): op
        case .compare(let comparator, _, _): comparator.rawValue
        case .between: "BETWEEN"
        case .inList: "IN"
        case .and: "AND"
        case .or: "OR"
        case .not: "NOT"
        case .isMissing, .isNull, .isType: "IS"
        default: "Literal"
        }
    }
}
