import Testing

@testable import KVStore

/// Update expressions: parse errors and application.
@Suite struct UpdateExpressionTests {
    static let values: [String: AttributeValue] = [
        ":v": .string("new"), ":n": n("2"), ":one": n("1"), ":ss": .stringSet(["b", "c"]), ":l": .list([n("9")]),
        ":z": n("0"), ":s": .string("x"), ":ns": .numberSet([Number(7)]), ":a": .stringSet(["a"]),
    ]

    static func parse(_ text: String) throws(KVError) -> UpdateExpression {
        var attributes = ExpressionAttributes(names: ["#k": "pk", "#a": "a"], values: values)
        return try UpdateExpression.parse(text, attributes: &attributes)
    }

    static func message(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    @Test(arguments: [
        ("SET a = :v, b = b + :n, c = if_not_exists(c, :z), d = list_append(d, :l)", nil),
        ("set a = :v remove b add c :n delete d :ss", nil),
        ("SET a = (b + :n)", nil),
        ("", "Invalid UpdateExpression: The expression can not be empty;"),
        ("SET a = :v SET b = :v", "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"),
        ("SET a.b = :v, a = :v", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a]"),
        ("SET a.b = :v REMOVE a[1]", "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"),
        ("ADD a :s", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"),
        ("DELETE a :n", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"),
        ("SET a = :s + :n", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"),
        ("SET a = list_append(:n, a)", "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"),
        ("SET a = if_not_exists(:v, a)", "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"),
        ("SET a = list_append(a, :l, :l)", "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 3"),
        ("SET a = foo(a)", "Invalid UpdateExpression: Invalid function name; function: foo"),
        ("SET a = size(a)", "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"),
        ("SET status = :v", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
        ("SET a = :nope", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope"),
        ("SET #nope = :nope", "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #nope"),
        ("SET MyStr = myNum + 1", "Invalid UpdateExpression: Syntax error; token: \"1\", near: \"+ 1\""),
        ("SET MyStr = myNum Mystr2 myNum2", "Invalid UpdateExpression: Syntax error; token: \"Mystr2\", near: \"myNum Mystr2 myNum2\""),
        ("SET MyStr = my Num", "Invalid UpdateExpression: Syntax error; token: \"Num\", near: \"my Num\""),
        ("FOO a = :v", "Invalid UpdateExpression: Syntax error; token: \"FOO\", near: \"FOO a\""),
        ("SET path = VALUE 1", "Invalid UpdateExpression: Syntax error; token: \"1\", near: \"VALUE 1\""),
    ] as [(String, String?)])
    func parseErrors(_ text: String, _ expected: String?) {
        #expect(Self.message(text) == expected)
    }

    static func apply(_ text: String, _ item: Item, keys: Set<String> = ["pk"]) throws(KVError) -> (item: Item, updatedAttributes: Set<String>) {
        try parse(text).apply(to: item, keyAttributes: keys)
    }

    @Test func setArithmeticAndFunctions() throws {
        let item: Item = ["pk": .string("k"), "b": n("3"), "c": n("5"), "d": .list([n("1")])]
        let (result, updated) = try Self.apply(
            "SET a = :v, b = b + :n, c = if_not_exists(c, :z), d = list_append(d, :l), e = if_not_exists(e, :z), f = b - :one",
            item)
        let three = try Number(parsing: "3")
        #expect(result["a"] == .string("new"))
        #expect(result["b"] == .number(try three + Number(parsing: "2")))
        #expect(result["f"] == .number(try three - Number(parsing: "1")))
        #expect(result["c"] == n("5"))
        #expect(result["d"] == .list([n("1"), n("9")]))
        #expect(result["e"] == n("0"))
        #expect(updated == ["a", "b", "c", "d", "e", "f"])
    }

    @Test func removeShiftsLists() throws {
        let item: Item = ["l": .list([n("0"), n("1"), n("2"), n("3"), n("4")]), "x": .string("x")]
        let (result, _) = try Self.apply("REMOVE l[1], l[3], x, nothing", item)
        #expect(result["l"] == .list([n("0"), n("2"), n("4")]))
        #expect(result["x"] == nil)
    }

    @Test func addAndDeleteSets() throws {
        let item: Item = ["s": .stringSet(["a", "b"]), "n": n("1")]
        let (added, _) = try Self.apply("ADD s :ss, n :n, newNum :n, newSet :ns", item)
        #expect(added["s"] == .stringSet(["a", "b", "c"]))
        #expect(added["n"] == .number(try Number(parsing: "1") + Number(parsing: "2")))
        #expect(added["newNum"] == n("2"))
        #expect(added["newSet"] == .numberSet([Number(7)]))
        let (deleted, _) = try Self.apply("DELETE s :ss", item)
        #expect(deleted["s"] == .stringSet(["a"]))
        let (emptied, _) = try Self.apply("DELETE s :ss", ["s": .stringSet(["b"])])
        #expect(emptied["s"] == nil)
    }

    @Test func nestedPaths() throws {
        let item: Item = ["m": .map(["l": .list([n("1")])])]
        let (result, updated) = try Self.apply("SET m.k = :v, m.l[5] = :s, m.l[0] = :n", item)
        #expect(result["m"] == .map(["k": .string("new"), "l": .list([n("2"), .string("x")])]))
        #expect(updated == ["m"])
        #expect(throws: UpdateExpression.invalidPath) { try Self.apply("SET nope.k = :v", item) }
        #expect(throws: UpdateExpression.invalidPath) { try Self.apply("SET m[0] = :v", item) }
    }

    @Test func runtimeErrors() {
        let item: Item = ["s": .string("x")]
        #expect(throws: UpdateExpression.incorrectType) { try Self.apply("SET a = s + :n", item) }
        #expect(throws: UpdateExpression.incorrectType) { try Self.apply("ADD s :n", item) }
        #expect(throws: UpdateExpression.incorrectType) { try Self.apply("SET a = list_append(s, :l)", item) }
        #expect(throws: UpdateExpression.missingAttribute) { try Self.apply("SET a = nothing", item) }
        #expect(throws: KVError.validation("One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")) {
            try Self.apply("SET #k = :v", item)
        }
    }

    @Test func readsTheOriginalItem() throws {
        let (result, _) = try Self.apply("SET a = b, b = :v", ["b": .string("old")])
        #expect(result["a"] == .string("old"))
        #expect(result["b"] == .string("new"))
    }

    @Test func upsertOnEmptyItem() throws {
        let (result, _) = try Self.apply("SET taskStatus = :v, taskUpdated = :n", [:])
        #expect(result == ["taskStatus": .string("new"), "taskUpdated": n("2")])
    }
}

/// Projection expressions.
@Suite struct ProjectionExpressionTests {
    static let item: Item = [
        "a": .string("x"), "m": .map(["k": .string("v"), "o": n("1"), "l": .list([n("0"), n("1"), n("2")])]),
        "l": .list([.map(["x": n("1"), "y": n("2")]), n("5"), .string("s")]),
    ]

    static func project(_ text: String, names: [String: String]? = nil) throws(KVError) -> Item {
        var attributes = ExpressionAttributes(names: names, values: nil)
        return try ProjectionExpression.parse(text, attributes: &attributes).apply(to: item)
    }

    @Test func nestedPathsAndLists() throws {
        #expect(try Self.project("a, m.k") == ["a": .string("x"), "m": .map(["k": .string("v")])])
        #expect(try Self.project("l[2], l[0].y, m.l[1]") == [
            "l": .list([.map(["y": n("2")]), .string("s")]), "m": .map(["l": .list([n("1")])]),
        ])
        #expect(try Self.project("#x, nope, m.nope", names: ["#x": "a"]) == ["a": .string("x")])
        #expect(ProjectionExpression(attributeNames: ["a", "zz"]).apply(to: Self.item) == ["a": .string("x")])
    }

    @Test(arguments: [
        ("a, a.b", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"),
        ("a.b, a[1]", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"),
        ("name", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"),
        ("#zz", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #zz"),
        ("a,", "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\""),
        ("", "Invalid ProjectionExpression: The expression can not be empty;"),
    ])
    func errors(_ text: String, _ expected: String) {
        #expect(throws: KVError.validation(expected)) { try Self.project(text) }
    }
}
