import Testing

@testable import KVStore

/// Legacy parameters and key conditions, translated into the same AST.
@Suite struct LegacyExpressionTests {
    static let item: Item = ["a": .string("abc"), "n": n("5"), "ss": .stringSet(["x"])]

    @Test(arguments: [
        (["a": ExpectedCondition(value: .string("abc"))], nil, true),
        (["a": ExpectedCondition(exists: false)], nil, false),
        (["zz": ExpectedCondition(exists: false)], nil, true),
        (["n": ExpectedCondition(comparisonOperator: "GT", attributeValueList: [n("4")])], nil, true),
        (["n": ExpectedCondition(comparisonOperator: "BETWEEN", attributeValueList: [n("1"), n("4")])], nil, false),
        (["a": ExpectedCondition(comparisonOperator: "BEGINS_WITH", attributeValueList: [.string("ab")])], nil, true),
        (["ss": ExpectedCondition(comparisonOperator: "CONTAINS", attributeValueList: [.string("x")])], nil, true),
        (["zz": ExpectedCondition(comparisonOperator: "NOT_CONTAINS", attributeValueList: [.string("x")])], nil, false),
        (["zz": ExpectedCondition(comparisonOperator: "NULL")], nil, true),
        (["a": ExpectedCondition(comparisonOperator: "NOT_NULL"), "zz": ExpectedCondition(comparisonOperator: "NOT_NULL")], "OR", true),
        (["a": ExpectedCondition(comparisonOperator: "NOT_NULL"), "zz": ExpectedCondition(comparisonOperator: "NOT_NULL")], "AND", false),
        (["n": ExpectedCondition(comparisonOperator: "IN", attributeValueList: [n("1"), n("5")])], nil, true),
    ] as [([String: ExpectedCondition], String?, Bool)])
    func expected(_ expected: [String: ExpectedCondition], _ op: String?, _ result: Bool) throws {
        #expect(try LegacyConditions.condition(expected, conditionalOperator: op).evaluate(Self.item) == result)
    }

    @Test(arguments: [
        (ExpectedCondition(comparisonOperator: "EQ", attributeValueList: []), "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"),
        (ExpectedCondition(), "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"),
        (ExpectedCondition(exists: false, value: .null), "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"),
        (ExpectedCondition(exists: true, comparisonOperator: "NULL"), "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"),
        (ExpectedCondition(comparisonOperator: "EQ"), "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
        (ExpectedCondition(comparisonOperator: "IN", attributeValueList: [n("1"), .string("x")]), "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"),
        (ExpectedCondition(comparisonOperator: "BETWEEN", attributeValueList: [n("5"), n("1")]), "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ])
    func expectedErrors(_ condition: ExpectedCondition, _ message: String) {
        #expect(throws: KVError.validation(message)) {
            try LegacyConditions.condition(["a": condition], conditionalOperator: nil)
        }
    }

    @Test func filterTypeRules() {
        #expect(throws: KVError.validation("One or more parameter values were invalid: ComparisonOperator LT is not valid for SS AttributeValue type")) {
            try LegacyConditions.condition(
                ["a": ExpectedCondition(comparisonOperator: "LT", attributeValueList: [.stringSet(["x"])])],
                conditionalOperator: nil, parameter: "ScanFilter")
        }
    }

    /// EQ/NE compare values of every type; CONTAINS takes BOOL and NULL too; LE does not.
    @Test(arguments: [
        ("EQ", AttributeValue.bool(true), true), ("NE", .null, true), ("EQ", .list([]), true), ("EQ", .map([:]), true),
        ("CONTAINS", .bool(true), true), ("NOT_CONTAINS", .null, true), ("CONTAINS", .list([]), false),
        ("LE", .bool(true), false), ("IN", .null, false), ("BEGINS_WITH", .number(Number(1)), false),
    ])
    func operandTypes(op: String, value: AttributeValue, valid: Bool) {
        let condition = ["a": ExpectedCondition(comparisonOperator: op, attributeValueList: [value])]
        let result = Result { () throws(KVError) in try LegacyConditions.condition(condition, conditionalOperator: nil) }
        switch result {
        case .success: #expect(valid)
        case .failure(let error):
            #expect(!valid)
            #expect(error.message == "One or more parameter values were invalid: ComparisonOperator \(op) is not valid for \(value.typeDescriptor) AttributeValue type")
        }
    }

    @Test func attributeUpdates() throws {
        let update = try LegacyConditions.update([
            "a": AttributeUpdate(action: "PUT", value: .string("new")), "n": AttributeUpdate(action: "ADD", value: n("2")),
            "ss": AttributeUpdate(action: "DELETE", value: .stringSet(["x"])), "gone": AttributeUpdate(action: "DELETE"),
            "l": AttributeUpdate(action: "ADD", value: .list([n("1")])),
        ])
        let (result, updated) = try update.apply(to: Self.item.merging(["gone": .null]) { a, _ in a }, keyAttributes: [])
        #expect(result["a"] == .string("new"))
        #expect(result["n"] == .number(try Number(parsing: "5") + Number(parsing: "2")))
        #expect(result["ss"] == nil)
        #expect(result["gone"] == nil)
        #expect(result["l"] == .list([n("1")]))
        #expect(updated == ["a", "n", "ss", "gone", "l"])
        #expect(throws: KVError.validation("One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified")) {
            try LegacyConditions.update(["a": AttributeUpdate(action: "PUT")])
        }
        #expect(throws: KVError.validation("One or more parameter values were invalid: DELETE action with value is not supported for the type S")) {
            try LegacyConditions.update(["a": AttributeUpdate(action: "DELETE", value: .string("x"))])
        }
        #expect(throws: KVError.validation("One or more parameter values were invalid: ADD action is not supported for the type S")) {
            try LegacyConditions.update(["a": AttributeUpdate(action: "ADD", value: .string("x"))])
        }
    }
}

@Suite struct KeyConditionExpressionTests {
    static let values: [String: AttributeValue] = [":p": .string("p"), ":a": n("1"), ":b": n("9"), ":s": .string("pre")]

    static func parse(_ text: String, sortKey: String? = "sk") throws(KVError) -> KeyCondition {
        var attributes = ExpressionAttributes(names: ["#p": "pk"], values: values)
        return try KeyCondition.parse(text, attributes: &attributes, partitionKey: "pk", sortKey: sortKey)
    }

    @Test func shapes() throws {
        #expect(try Self.parse("pk = :p") == KeyCondition(partitionValue: .string("p"), sortCondition: nil))
        #expect(try Self.parse(":a < sk AND #p = :p").sortCondition == .greater(n("1")))
        #expect(try Self.parse("pk = :p AND sk BETWEEN :a AND :b").sortCondition == .between(n("1"), n("9")))
        #expect(try Self.parse("pk = :p AND begins_with(sk, :s)").sortCondition == .beginsWith(.string("pre")))
        #expect(KeyCondition.SortCondition.between(n("1"), n("9")).matches(n("5")))
        #expect(KeyCondition.SortCondition.beginsWith(.string("pre")).matches(.string("prefix")))
    }

    @Test(arguments: [
        ("pk = :p OR sk = :a", "Invalid operator used in KeyConditionExpression: OR"),
        ("pk <> :p", "Invalid operator used in KeyConditionExpression: <>"),
        ("pk = :p AND contains(sk, :s)", "Invalid operator used in KeyConditionExpression: contains"),
        ("sk = :a", "Query condition missed key schema element: pk"),
        ("pk > :p", "Query key condition not supported"),
        ("pk = :p AND foo = :a", "Query condition missed key schema element: sk"),
        ("sk > :a AND sk < :b", "KeyConditionExpressions must only contain one condition per key"),
        ("pk.x = :p", "KeyConditionExpressions cannot have conditions on nested attributes"),
        ("pk = :p AND size(sk) = :a", "KeyConditionExpressions cannot contain nested operations"),
        ("pk = :zz", "Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; attribute value: :zz"),
        (":p = :a", "Invalid condition in KeyConditionExpression: No key attribute specified"),
    ])
    func errors(_ text: String, _ message: String) {
        #expect(throws: KVError.validation(message)) { try Self.parse(text) }
    }

    @Test func hashOnlyTable() {
        #expect(throws: KVError.validation("Query key condition not supported")) {
            try Self.parse("pk = :p AND sk = :a", sortKey: nil)
        }
    }

    @Test func legacyKeyConditions() throws {
        let condition = try KeyCondition.legacy(
            ["pk": ExpectedCondition(comparisonOperator: "EQ", attributeValueList: [.string("p")]),
             "sk": ExpectedCondition(comparisonOperator: "GE", attributeValueList: [n("1")])],
            partitionKey: "pk", sortKey: "sk")
        #expect(condition == KeyCondition(partitionValue: .string("p"), sortCondition: .greaterOrEqual(n("1"))))
    }
}
