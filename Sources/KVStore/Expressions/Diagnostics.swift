/// Collects the first message of each error category while an expression is parsed and
/// resolved, then reports the one DynamoDB reports: the category that ranks first.
///
/// DynamoDB checks an expression as a whole and, when several errors apply, reports them in a
/// fixed order of categories (recorded by dynalite's parsers, which were tested against DynamoDB),
/// not in order of position. Categories are ranked per expression kind.
struct Diagnostics: Sendable, Hashable {
    private var messages: [Int: String] = [:]

    mutating func note(_ rank: Int, _ message: String) {
        if messages[rank] == nil { messages[rank] = message }
    }

    var isEmpty: Bool { messages.isEmpty }

    /// The message that DynamoDB reports: the lowest-ranked one.
    var first: String? { messages.min(by: { $0.key < $1.key })?.value }

    /// Whether a message of rank lower than `rank` was noted.
    func hasAny(below rank: Int) -> Bool { messages.keys.contains { $0 < rank } }

    /// Throws the first message, prefixed for the expression kind.
    func throwIfAny(prefix: String) throws(KVError) {
        if let first { throw KVError.validation(prefix + first) }
    }
}

/// Error categories of condition, filter and key-condition expressions, in DynamoDB's order.
enum ConditionRank {
    static let size = 0
    static let parens = 1
    static let unknownFunction = 2
    static let misusedFunction = 3
    static let reserved = 4
    static let pathLimits = 5
    static let attrNameVal = 6
    static let operand = 7
    static let distinct = 8
    static let function = 9
}

/// Error categories of update expressions, in DynamoDB's order.
enum UpdateRank {
    static let reserved = 0
    static let unknownFunction = 1
    static let section = 2
    static let pathLimits = 3
    static let attrName = 4
    static let attrVal = 5
    static let pathOverlap = 6
    static let pathConflict = 7
    static let operand = 8
    static let function = 9
}

/// Error categories of projection expressions, in DynamoDB's order.
enum ProjectionRank {
    static let reserved = 0
    static let pathLimits = 1
    static let attrName = 2
    static let pathOverlap = 3
    static let pathConflict = 4
}
