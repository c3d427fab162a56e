/// Which request parameter a condition came from; decides the error prefix.
public enum ConditionKind: Sendable, Hashable {
    case condition, filter, keyCondition

    var prefix: String {
        switch self {
        case .condition: "Invalid ConditionExpression: "
        case .filter: "Invalid FilterExpression: "
        case .keyCondition: "Invalid KeyConditionExpression: "
        }
    }
}

/// A resolved ConditionExpression / FilterExpression (or a legacy `Expected` / `QueryFilter` /
/// `ScanFilter` translated into the same tree), ready to evaluate against items.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
public struct ConditionExpression: Sendable {
    let root: ConditionNode

    init(root: ConditionNode) { self.root = root }

    /// Parses (cached by text), resolves `#names`/`:values` through `attributes` and checks the
    /// expression, throwing DynamoDB's ValidationException texts in DynamoDB's order.
    public static func parse(
        _ text: String, kind: ConditionKind, attributes: inout ExpressionAttributes
    ) throws(KVError) -> ConditionExpression {
        let (node, parseDiagnostics) = try ParseCache.shared.condition(text, kind: kind)
        return ConditionExpression(root: try resolve(node, parseDiagnostics, kind: kind, attributes: &attributes))
    }

    static func resolve(
        _ node: ConditionNode, _ parseDiagnostics: Diagnostics, kind: ConditionKind, attributes: inout ExpressionAttributes
    ) throws(KVError) -> ConditionNode {
        if parseDiagnostics.hasAny(below: ConditionRank.attrNameVal) {
            try parseDiagnostics.throwIfAny(prefix: kind.prefix)
        }
        var checker = ConditionChecker(
            resolver: Resolver(
                attributes: attributes, diagnostics: parseDiagnostics,
                nameRank: ConditionRank.attrNameVal, valueRank: ConditionRank.attrNameVal))
        let resolved = checker.resolve(node)
        try checker.resolver.diagnostics.throwIfAny(prefix: kind.prefix)
        attributes = checker.resolver.attributes
        return resolved
    }

    /// Whether `item` satisfies the condition; nil means the item does not exist
    /// (`attribute_not_exists` is true, comparisons are false).
    public func evaluate(_ item: Item?) -> Bool {
        root.evaluate(item)
    }

    /// The conjunction of two conditions (e.g. a legacy condition list).
    static func and(_ conditions: [ConditionNode]) -> ConditionNode? {
        guard var result = conditions.first else { return nil }
        for next in conditions.dropFirst() { result = .and(result, next) }
        return result
    }
}

/// Resolves a parsed condition and runs DynamoDB's checks that need the resolved names/values:
/// distinct operands, operand types of functions and comparisons, BETWEEN bounds.
struct ConditionChecker {
    var resolver: Resolver

    private mutating func note(_ rank: Int, _ message: String) { resolver.diagnostics.note(rank, message) }

    mutating func resolve(_ node: ConditionNode) -> ConditionNode {
        switch node {
        case .and(let a, let b):
            let left = resolve(a)
            return .and(left, resolve(b))
        case .or(let a, let b):
            let left = resolve(a)
            return .or(left, resolve(b))
        case .not(let a):
            return .not(resolve(a))
        case .compare(let comparator, let a, let b):
            let left = operand(a)
            let right = operand(b)
            checkDistinct(comparator.rawValue, left, right)
            if comparator != .equal && comparator != .notEqual {
                checkOrderable(comparator.rawValue, [left, right])
            }
            return .compare(comparator, left, right)
        case .between(let a, let b, let c):
            let value = operand(a)
            let lower = operand(b)
            let upper = operand(c)
            checkOrderable("BETWEEN", [value, lower, upper])
            if case .value(let low) = lower, case .value(let high) = upper {
                if low.typeDescriptor != high.typeDescriptor {
                    note(
                        ConditionRank.function,
                        "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: \(describeForMessage(low)), upper bound operand: AttributeValue: \(describeForMessage(high))"
                    )
                } else if let order = ValueOrder.compare(low, high), order > 0 {
                    note(
                        ConditionRank.function,
                        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: \(describeForMessage(low)), upper bound operand: AttributeValue: \(describeForMessage(high))"
                    )
                }
            }
            return .between(value, lower, upper)
        case .inList(let a, let list):
            let value = operand(a)
            var resolved: [Operand] = []
            for item in list { resolved.append(operand(item)) }
            return .inList(value, resolved)
        case .function(let name, let arguments):
            guard case .function(let name, let resolved) = operand(.function(name, arguments)) else { return node }
            return .function(name, resolved)
        }
    }

    /// Resolves an operand, checking every function call in it.
    private mutating func operand(_ operand: Operand) -> Operand {
        guard case .function(let name, let arguments) = operand else { return resolver.operand(operand) }
        var resolved: [Operand] = []
        for argument in arguments { resolved.append(self.operand(argument)) }
        checkFunction(name, resolved)
        return .function(name, resolved)
    }

    private mutating func checkFunction(_ name: String, _ arguments: [Operand]) {
        guard let count = ExpressionFunctions.condition[name], count == arguments.count else { return }
        if arguments.count == 2 { checkDistinct(name, arguments[0], arguments[1]) }
        switch name {
        case "attribute_exists", "attribute_not_exists":
            if !arguments[0].isPath {
                note(ConditionRank.function, "Operator or function requires a document path; operator or function: \(name)")
            }
        case "begins_with":
            for argument in arguments {
                if let type = staticType(argument), type != "S", type != "B" {
                    note(
                        ConditionRank.function,
                        "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
                    return
                }
            }
        case "attribute_type":
            guard case .value(.string(let typeName)) = arguments[1] else {
                let type = staticType(arguments[1]) ?? "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
                note(
                    ConditionRank.function,
                    "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
                return
            }
            if !["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"].contains(typeName) {
                note(
                    ConditionRank.function,
                    "Invalid attribute type name found; type: \(typeName), valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
            }
        case "size":
            if let type = staticType(arguments[0]), ["N", "BOOL", "NULL"].contains(type) {
                note(
                    ConditionRank.function,
                    "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
            }
        default:
            break
        }
    }

    private mutating func checkDistinct(_ name: String, _ first: Operand, _ second: Operand) {
        if case .path(let a) = first, case .path(let b) = second, a == b {
            note(
                ConditionRank.distinct,
                "The first operand must be distinct from the remaining operands for this operator or function; operator: \(name), first operand: \(a)"
            )
        }
    }

    /// Ordering comparisons accept only numbers, strings and binaries as literal operands.
    private mutating func checkOrderable(_ name: String, _ operands: [Operand]) {
        for operand in operands {
            if let type = immediateType(operand), type != "N", type != "S", type != "B" {
                note(
                    ConditionRank.function,
                    "Incorrect operand type for operator or function; operator or function: \(name), operand type: \(type)")
                return
            }
        }
    }
}
