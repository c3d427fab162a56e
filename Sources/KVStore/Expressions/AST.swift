/// The one expression AST shared by conditions, filters, key conditions, updates and projections,
/// and by the legacy parameters (`Expected`, `QueryFilter`, `AttributeUpdates`...) translated into it.
///
/// Parsing produces it with placeholders (`#name` path elements and `.placeholder(":value")`
/// operands); resolution substitutes the request's ExpressionAttributeNames/Values, so the tree
/// the evaluator sees never contains a placeholder.

/// A value-producing operand.
indirect enum Operand: Sendable, Hashable {
    /// A document path read from the item.
    case path(DocumentPath)
    /// A literal value (an ExpressionAttributeValue after resolution).
    case value(AttributeValue)
    /// An unresolved `:value` reference (parse output only).
    case placeholder(String)
    /// A function call or arithmetic: `size`, `if_not_exists`, `list_append`, `+`, `-`,
    /// and (in misuse cases) a condition function used as an operand.
    case function(String, [Operand])

    var isPath: Bool {
        if case .path = self { return true }
        return false
    }
}

/// Comparison operators of conditions.
enum Comparator: String, Sendable, Hashable {
    case equal = "="
    case notEqual = "<>"
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// A boolean condition.
indirect enum ConditionNode: Sendable, Hashable {
    case compare(Comparator, Operand, Operand)
    case between(Operand, Operand, Operand)
    case inList(Operand, [Operand])
    /// `attribute_exists`, `attribute_not_exists`, `attribute_type`, `begins_with`, `contains`
    /// (and `size` when misused as a condition, rejected at parse time).
    case function(String, [Operand])
    case and(ConditionNode, ConditionNode)
    case or(ConditionNode, ConditionNode)
    case not(ConditionNode)
}

/// One action of an update expression.
enum UpdateAction: Sendable, Hashable {
    case set(DocumentPath, Operand)
    case remove(DocumentPath)
    case add(DocumentPath, Operand)
    case delete(DocumentPath, Operand)

    var path: DocumentPath {
        switch self {
        case .set(let path, _), .remove(let path), .add(let path, _), .delete(let path, _): path
        }
    }
}

/// Functions DynamoDB knows, by where they may appear.
enum ExpressionFunctions {
    /// Condition functions and their operand counts.
    static let condition: [String: Int] = [
        "attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
        "begins_with": 2, "contains": 2, "size": 1,
    ]
    /// Update functions and their operand counts.
    static let update: [String: Int] = ["if_not_exists": 2, "list_append": 2]
}
