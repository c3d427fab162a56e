import Testing

@testable import KVStore

func n(_ text: String) -> AttributeValue { .number((try? Number(parsing: text)) ?? Number(0)) }

/// Condition/filter parsing: expression in, exact DynamoDB error out.
@Suite struct ConditionExpressionTests {
    static let values: [String: AttributeValue] = [
        ":s": .string("abc"), ":n": n("5"), ":one": n("1"), ":b": .bool(true), ":l": .list([n("1")]),
        ":t": .string("S"), ":bad": .string("X"), ":p": .string("a"),
    ]
    static let names: [String: String] = ["#st": "status", "#a": "a"]

    static func parse(_ text: String, kind: ConditionKind = .condition) throws(KVError) -> ConditionExpression {
        var attributes = ExpressionAttributes(names: names, values: values)
        return try ConditionExpression.parse(text, kind: kind, attributes: &attributes)
    }

    static func message(_ text: String, kind: ConditionKind = .condition) -> String? {
        do {
            _ = try parse(text, kind: kind)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        ("a = :s", nil),
        ("#st = :s AND b <> :n OR NOT c < :n", nil),
        ("a BETWEEN :one AND :n", nil),
        ("a IN (:s, :n, :one)", nil),
        ("attribute_exists(a.b[2].c) and attribute_not_exists(#st)", nil),
        ("begins_with(a, :s) OR contains(l, :n)", nil),
        ("size(a) > :n", nil),
        ("(a = :s)", nil),
        ("(a) = :s", nil),
        ("attribute_type(a, :t)", nil),
        ("status = :s", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("a = :zz", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :zz"),
        ("#zz = :s", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #zz"),
        ("((a = :s))", "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("foo(a)", "Invalid ConditionExpression: Invalid function name; function: foo"),
        ("if_not_exists(a, :s) = :s", "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"),
        ("size(a)", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: size"),
        ("begins_with(a, :s) = :b", "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; function: begins_with"),
        ("attribute_exists(a, b)", "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"),
        ("attribute_exists(:s)", "Invalid ConditionExpression: Operator or function requires a document path; operator or function: attribute_exists"),
        ("begins_with(a, :n)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"),
        ("attribute_type(a, :bad)", "Invalid ConditionExpression: Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
        ("a < :b", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"),
        ("a > :l", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: >, operand type: L"),
        ("a = a", "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"),
        ("a BETWEEN :n AND :one", "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
        ("a BETWEEN :n AND :s", "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {S:abc}"),
        ("foo", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"foo\""),
        ("a = :s AND", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"AND\""),
        ("a == :s", "Invalid ConditionExpression: Syntax error; token: \"=\", near: \"== :s\""),
        ("a = 1", "Invalid ConditionExpression: Syntax error; token: \"1\", near: \"= 1\""),
        ("a = :s b", "Invalid ConditionExpression: Syntax error; token: \"b\", near: \":s b\""),
        ("a = !", "Invalid ConditionExpression: Syntax error; token: \"!\", near: \"= !\""),
        ("", "Invalid ConditionExpression: The expression can not be empty;"),
        // Order: redundant parentheses before an undefined value; reserved word before undefined name.
        ("((a = :zz))", "Invalid ConditionExpression: The expression has redundant parentheses;"),
        ("status = :zz", "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("a = :zz AND attribute_exists(b, c)", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :zz"),
    ] as [(String, String?)])
    func parseErrors(_ text: String, _ expected: String?) {
        #expect(Self.message(text) == expected)
    }

    @Test func prefixesFollowTheKind() {
        #expect(Self.message("a = ", kind: .filter) == "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"= \"")
        #expect(Self.message("", kind: .keyCondition) == "Invalid KeyConditionExpression: The expression can not be empty;")
    }

    @Test func sizeAndOperatorLimits() {
        let long = "a = :s" + String(repeating: " ", count: 4091)
        #expect(Self.message(long) == "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097")
        let manyIn = "a IN (" + Array(repeating: ":s", count: 101).joined(separator: ",") + ")"
        #expect(Self.message(manyIn) == "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101")
        let manyOps = Array(repeating: "a = :s", count: 151).joined(separator: " AND ")
        #expect(Self.message(manyOps) == "Invalid ConditionExpression: The expression contains too many operators; operator count: 301")
    }

    @Test func deepNestingIsASyntaxErrorNotACrash() {
        let deep = String(repeating: "(", count: 2000) + "a = :s" + String(repeating: ")", count: 2000)
        #expect(Self.message(deep)?.hasPrefix("Invalid ConditionExpression: Syntax error;") == true)
        let nots = String(repeating: "NOT ", count: 1000) + "a = :s"
        #expect(Self.message(nots)?.hasPrefix("Invalid ConditionExpression: Syntax error;") == true)
    }

    @Test func unusedNamesAndValues() throws {
        var attributes = ExpressionAttributes(names: ["#a": "a", "#u": "u"], values: [":s": .string("x"), ":x": .null])
        _ = try ConditionExpression.parse("#a = :s", kind: .condition, attributes: &attributes)
        #expect(throws: KVError.validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}")) {
            try attributes.checkAllUsed()
        }
        var values = ExpressionAttributes(names: nil, values: [":s": .string("x"), ":x": .null])
        _ = try ConditionExpression.parse("a = :s", kind: .condition, attributes: &values)
        #expect(throws: KVError.validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}")) {
            try values.checkAllUsed()
        }
    }

    @Test func keywordsAreCaseInsensitive() throws {
        let condition = try Self.parse("a = :s and not b = :s or c between :one AnD :n")
        #expect(condition.evaluate(["a": .string("abc")]))
    }

    @Test func cacheReturnsTheSameResult() throws {
        let first = try Self.parse("taskStatus = :s")
        let second = try Self.parse("taskStatus = :s")
        #expect(first.root == second.root)
        #expect(ParseCache.shared.count > 0)
        let small = ParseCache(capacity: 2)
        for i in 0..<5 { _ = try small.condition("a\(i) = :s", kind: .condition) }
        #expect(small.count <= 2)
    }
}

/// Evaluation over sample items.
@Suite struct EvaluationExpressionTests {
    static let item: Item = [
        "s": .string("hello"), "n": n("5"), "b": .binary([1, 2, 3]), "t": .bool(true), "z": .null,
        "ss": .stringSet(["x", "y"]), "ns": .numberSet([Number(1), Number(2)]), "l": .list([.string("x"), n("2")]),
        "m": .map(["k": .string("v"), "deep": .list([.map(["x": n("1")])])]),
        "taskStatus": .string("PENDING"),
    ]

    static let values: [String: AttributeValue] = [
        ":hello": .string("hello"), ":he": .string("he"), ":ell": .string("ell"), ":five": n("5"), ":six": n("6"),
        ":four": n("4"), ":x": .string("x"), ":yx": .stringSet(["y", "x"]), ":two": n("2"), ":one": n("1"),
        ":S": .string("S"), ":NULL": .string("NULL"), ":b12": .binary([1, 2]), ":v": .string("v"),
        ":l": .list([.string("x"), n("2")]), ":pending": .string("PENDING"), ":three": n("3"),
    ]

    @Test(arguments: [
        ("s = :hello", true), ("s <> :hello", false), ("s = :five", false), ("s <> :five", true),
        ("absent = :hello", false), ("absent <> :hello", true), ("n < :six", true), ("n <= :five", true),
        ("n > :five", false), ("n >= :four", true), ("s < :five", false), ("s > :he", true),
        ("n BETWEEN :four AND :six", true), ("n BETWEEN :one AND :four", false), ("n IN (:one, :five)", true),
        ("s IN (:one, :x)", false), ("attribute_exists(m.k)", true), ("attribute_exists(m.nope)", false),
        ("attribute_not_exists(absent)", true), ("attribute_exists(m.deep[0].x)", true),
        ("attribute_exists(l[5])", false), ("attribute_type(s, :S)", true), ("attribute_type(z, :NULL)", true),
        ("begins_with(s, :he)", true), ("begins_with(b, :b12)", true), ("begins_with(n, :he)", false),
        ("contains(s, :ell)", true), ("contains(ss, :x)", true), ("contains(ns, :two)", true), ("contains(l, :x)", true),
        ("contains(l, :one)", false), ("size(s) = :five", true), ("size(ss) = :two", true), ("size(m) = :two", true),
        ("size(n) = :one", false), ("ss = :yx", true), ("l = :l", true), ("m.k = :v", true),
        ("NOT s = :hello OR n = :five", true), ("s = :hello AND NOT n = :five", false),
        ("s = :x OR n = :five AND t = :x", false), ("(s = :x OR n = :five) AND NOT t = :x", true),
        ("taskStatus = :pending", true), ("size(l) BETWEEN :one AND :three", true),
    ] as [(String, Bool)])
    func evaluates(_ text: String, _ expected: Bool) throws {
        var attributes = ExpressionAttributes(names: nil, values: Self.values)
        let condition = try ConditionExpression.parse(text, kind: .filter, attributes: &attributes)
        #expect(condition.evaluate(Self.item) == expected)
    }

    @Test func absentItem() throws {
        var attributes = ExpressionAttributes(names: nil, values: Self.values)
        #expect(try ConditionExpression.parse("attribute_not_exists(s)", kind: .condition, attributes: &attributes).evaluate(nil))
        #expect(!(try ConditionExpression.parse("s = :hello", kind: .condition, attributes: &attributes).evaluate(nil)))
        #expect(!(try ConditionExpression.parse("attribute_exists(s)", kind: .condition, attributes: &attributes).evaluate(nil)))
    }

    @Test func stringsCompareByBytes() throws {
        var attributes = ExpressionAttributes(names: nil, values: [":a": .string("Z"), ":b": .string("é")])
        let condition = try ConditionExpression.parse("x < :b", kind: .condition, attributes: &attributes)
        #expect(condition.evaluate(["x": .string("Z")]))
        #expect(!condition.evaluate(["x": .string("ü")]))
        _ = attributes
    }
}
