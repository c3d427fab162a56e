/// The syntax tree of one PartiQL statement, as parsed: values may still hold `?` parameters,
/// which binding (`PartiQLBinder`) replaces with the request's `Parameters`.
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.statements.html
indirect enum PartiQLExpression: Sendable, Equatable {
    case literal(AttributeValue)
    /// The `index`-th `?` of the statement (0-based, in order of appearance).
    case parameter(Int)
    case path(DocumentPath)
    case list([PartiQLExpression])
    /// `{'key': value, ...}`, keys in the order written.
    case tuple([(key: String, value: PartiQLExpression)])
    /// `<<...>>`: a string or number set.
    case bag([PartiQLExpression])
    /// A function call; the name lower-cased.
    case call(String, [PartiQLExpression])
    /// `+` / `-` arithmetic.
    case arithmetic(String, PartiQLExpression, PartiQLExpression)
    case compare(Comparator, PartiQLExpression, PartiQLExpression)
    case between(PartiQLExpression, PartiQLExpression, PartiQLExpression)
    case inList(PartiQLExpression, [PartiQLExpression])
    case and(PartiQLExpression, PartiQLExpression)
    case or(PartiQLExpression, PartiQLExpression)
    case not(PartiQLExpression)
    /// `x IS [NOT] MISSING`.
    case isMissing(PartiQLExpression, negated: Bool)
    /// `x IS [NOT] NULL`.
    case isNull(PartiQLExpression, negated: Bool)
    /// `x IS [NOT] STRING` (and the other type names): the DynamoDB type (`S`, `N`, ...) it tests.
    case isType(PartiQLExpression, String, negated: Bool)
    /// The `MISSING` literal outside `IS` (refused when the statement is planned).
    case missing

    static func == (lhs: PartiQLExpression, rhs: PartiQLExpression) -> Bool {
        switch (lhs, rhs) {
        case (.literal(let a), .literal(let b)): a == b
        case (.parameter(let a), .parameter(let b)): a == b
        case (.path(let a), .path(let b)): a == b
        case (.list(let a), .list(let b)), (.bag(let a), .bag(let b)): a == b
        case (.tuple(let a), .tuple(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.call(let n, let a), .call(let m, let b)): n == m && a == b
        case (.arithmetic(let o, let a, let b), .arithmetic(let p, let c, let d)): o == p && a == c && b == d
        case (.compare(let o, let a, let b), .compare(let p, let c, let d)): o == p && a == c && b == d
        case (.between(let a, let b, let c), .between(let d, let e, let f)): a == d && b == e && c == f
        case (.inList(let a, let b), .inList(let c, let d)): a == c && b == d
        case (.and(let a, let b), .and(let c, let d)), (.or(let a, let b), .or(let c, let d)): a == c && b == d
        case (.not(let a), .not(let b)): a == b
        case (.isMissing(let a, let n), .isMissing(let b, let m)), (.isNull(let a, let n), .isNull(let b, let m)):
            a == b && n == m
        case (.isType(let a, let t, let n), .isType(let b, let u, let m)): a == b && t == u && n == m
        case (.missing, .missing): true
        default: false
        }
    }
}

/// The table, or `"table"."index"`, a statement reads or writes.
struct PartiQLSource: Sendable, Equatable {
    var table: String
    var index: String?
}

/// `RETURNING ... *` of UPDATE and DELETE.
enum PartiQLReturning: String, Sendable, Equatable {
    case allOld = "ALL OLD *"
    case modifiedOld = "MODIFIED OLD *"
    case allNew = "ALL NEW *"
    case modifiedNew = "MODIFIED NEW *"

    var returnValues: ReturnValues {
        switch self {
        case .allOld: .allOld
        case .modifiedOld: .updatedOld
        case .allNew: .allNew
        case .modifiedNew: .updatedNew
        }
    }
}

/// One `SET path = value` or `REMOVE path` of an UPDATE.
enum PartiQLAssignment: Sendable, Equatable {
    case set(DocumentPath, PartiQLExpression)
    case remove(DocumentPath)
}

struct PartiQLOrdering: Sendable, Equatable {
    var path: DocumentPath
    var descending: Bool
}

struct PartiQLSelect: Sendable, Equatable {
    /// nil for `*`.
    var projection: [DocumentPath]?
    var source: PartiQLSource
    var condition: PartiQLExpression?
    var ordering: [PartiQLOrdering]
}

/// A parsed statement.
enum PartiQLStatement: Sendable, Equatable {
    case select(PartiQLSelect)
    case insert(table: String, value: PartiQLExpression)
    case update(source: PartiQLSource, assignments: [PartiQLAssignment], condition: PartiQLExpression?, returning: PartiQLReturning?)
    case delete(source: PartiQLSource, condition: PartiQLExpression?, returning: PartiQLReturning?)
    /// `EXISTS(SELECT ...)`: a condition check, only in ExecuteTransaction.
    case exists(PartiQLSelect)

    var isRead: Bool {
        if case .select = self { return true }
        return false
    }
}

/// A statement and the number of `?` parameters it holds.
struct ParsedStatement: Sendable, Equatable {
    var statement: PartiQLStatement
    var parameterCount: Int
}
