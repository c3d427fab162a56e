import Logging
import Testing

@testable import KVStore

/// Which engine operation a statement becomes (GetItem, Query, Scan), and the key rules of writes.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
@Suite struct PartiQLPlannerTests {
    static let table = KeySchema(
        partitionKey: KeyAttribute(name: "pk", type: .string), sortKey: KeyAttribute(name: "sk", type: .number))
    static let hashOnly = KeySchema(partitionKey: KeyAttribute(name: "pk", type: .string))

    static func condition(_ statement: String, _ parameters: [AttributeValue] = []) throws -> ConditionNode? {
        guard case .select(let select) = try PartiQLParser.parse(statement).statement else { return nil }
        return try select.condition.map { try PartiQLBinder(parameters: parameters).condition($0) }
    }

    static func plan(_ whereClause: String, schema: KeySchema = table, isIndex: Bool = false) throws -> PartiQLPlanner.ReadPlan {
        PartiQLPlanner.read(try condition("SELECT * FROM t WHERE " + whereClause), schema: schema, isIndex: isIndex)
    }

    @Test(arguments: [
        ("pk = 'a' AND sk = 1", PartiQLPlanner.ReadPlan.getItem(key: ["pk": .string("a"), "sk": .number(Number(1))])),
        ("sk = 1 AND 'a' = pk AND x > 2", .getItem(key: ["pk": .string("a"), "sk": .number(Number(1))])),
        ("pk = 'a'", .query(partition: .string("a"), sort: nil)),
        ("pk = 'a' AND sk > 3", .query(partition: .string("a"), sort: .greater(.number(Number(3))))),
        ("pk = 'a' AND 3 > sk", .query(partition: .string("a"), sort: .less(.number(Number(3))))),
        ("pk = 'a' AND sk BETWEEN 1 AND 4", .query(partition: .string("a"), sort: .between(.number(Number(1)), .number(Number(4))))),
        ("pk = 'a' AND sk <> 3", .query(partition: .string("a"), sort: nil)),
        ("pk = 'a' OR pk = 'b' OR pk = 'a'", .partitions([.string("a"), .string("b")], sort: nil)),
        ("(pk = 'a' OR pk = 'b') AND sk < 5", .partitions([.string("a"), .string("b")], sort: .less(.number(Number(5))))),
        ("pk = 'a' OR x = 'b'", .scan),
        ("pk = 1 AND sk = 1", .scan),
        ("x = 'a'", .scan),
        ("pk IN ['a', 'b', 'a']", .partitions([.string("a"), .string("b")], sort: nil)),
        ("pk IN ['a', 'b'] AND sk >= 2", .partitions([.string("a"), .string("b")], sort: .greaterOrEqual(.number(Number(2))))),
        ("pk IN ['a', 1]", .scan),
    ] as [(String, PartiQLPlanner.ReadPlan)])
    func selectPlans(_ whereClause: String, _ expected: PartiQLPlanner.ReadPlan) throws {
        #expect(try Self.plan(whereClause) == expected)
    }

    @Test func hashOnlyTableAndIndexes() throws {
        #expect(try Self.plan("pk = 'a'", schema: Self.hashOnly) == .getItem(key: ["pk": .string("a")]))
        // An index never serves a GetItem: its keys are not unique.
        #expect(try Self.plan("pk = 'a' AND sk = 2", isIndex: true) == .query(partition: .string("a"), sort: .equal(.number(Number(2)))))
        #expect(try Self.plan("pk = 'a'", schema: Self.hashOnly, isIndex: true) == .query(partition: .string("a"), sort: nil))
    }

    @Test func beginsWithBecomesTheSortKeyCondition() throws {
        let schema = KeySchema(partitionKey: KeyAttribute(name: "pk", type: .string), sortKey: KeyAttribute(name: "sk", type: .string))
        #expect(try Self.plan("pk = 'a' AND begins_with(sk, 'x')", schema: schema) == .query(partition: .string("a"), sort: .beginsWith(.string("x"))))
    }

    @Test func parametersBindIntoThePlan() throws {
        let node = try Self.condition("SELECT * FROM t WHERE pk = ? AND sk = ?", [.string("p"), .number(Number(9))])
        #expect(PartiQLPlanner.read(node, schema: Self.table, isIndex: false) == .getItem(key: ["pk": .string("p"), "sk": .number(Number(9))]))
    }

    @Test func writesNeedEveryKeyAttribute() throws {
        let (key, rest) = try PartiQLPlanner.writeKey(try Self.condition("SELECT * FROM t WHERE pk = 'a' AND sk = 1 AND v > 2"), schema: Self.table)
        #expect(key == ["pk": .string("a"), "sk": .number(Number(1))])
        #expect(rest == .compare(.greater, .path(DocumentPath(attribute: "v")), .value(.number(Number(2)))))
        for whereClause in ["pk = 'a'", "pk = 'a' OR sk = 1", "v = 1"] {
            #expect(throws: PartiQLError.incompleteKey) {
                _ = try PartiQLPlanner.writeKey(try Self.condition("SELECT * FROM t WHERE " + whereClause), schema: Self.table)
            }
        }
        #expect(throws: PartiQLError.keyTypeMismatch("sk")) {
            _ = try PartiQLPlanner.writeKey(try Self.condition("SELECT * FROM t WHERE pk = 'a' AND sk = 'x'"), schema: Self.table)
        }
    }

    @Test func engineRunsStatementsThroughItsOperations() async throws {
        let engine = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: Logger(label: "test"))
        defer { engine.shutdown() }
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "T", attributeDefinitions: [KeyAttribute(name: "pk", type: .string)],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        func run(_ text: String, _ parameters: [AttributeValue] = []) async throws -> StatementResult {
            try await engine.executeStatement(ExecuteStatementRequest(PartiQLStatementInput(statement: text, parameters: parameters)))
        }
        _ = try await run("INSERT INTO T VALUE {'pk': ?, 'n': 1}", [.string("a")])
        await #expect(throws: PartiQLError.duplicateItem) { _ = try await run("INSERT INTO T VALUE {'pk': 'a'}") }
        let updated = try await run("UPDATE T SET n = n + 1 WHERE pk = 'a' RETURNING MODIFIED NEW *")
        #expect(updated.items == [["n": .number(Number(2))]])
        #expect(try await run("SELECT n FROM T WHERE pk = 'a'").items == [["n": .number(Number(2))]])
        let deleted = try await run("DELETE FROM T WHERE pk = 'a' RETURNING ALL OLD *")
        #expect(deleted.items == [["pk": .string("a"), "n": .number(Number(2))]])
        #expect(try await run("SELECT * FROM T").items.isEmpty)
    }
}

/// NextTokens: opaque, bound to their statement and parameters, expiring.
/// Texts as DynamoDB Local's ValidationExceptionMessages spells them.
@Suite struct StatementTokensTests {
    @Test func tokensAreCheckedAndExpire() throws {
        let tokens = StatementTokens()
        let key: Item = ["pk": .string("a")]
        let token = tokens.issue(statement: "SELECT * FROM t", parameters: [.string("p")], startKey: key, now: 100)
        #expect(token.count == 64)
        let position = try tokens.position(token, statement: "SELECT * FROM t", parameters: [.string("p")], now: 200)
        #expect(position.segment == 0 && position.startKey == key)
        #expect(throws: PartiQLError.nextTokenMismatch) {
            _ = try tokens.position(token, statement: "SELECT * FROM u", parameters: [.string("p")], now: 200)
        }
        #expect(throws: PartiQLError.nextTokenMismatch) {
            _ = try tokens.position(token, statement: "SELECT * FROM t", parameters: [.string("q")], now: 200)
        }
        let edited = String(token.dropLast()) + (token.hasSuffix("0") ? "1" : "0")
        #expect(throws: PartiQLError.invalidNextToken) {
            _ = try tokens.position(edited, statement: "SELECT * FROM t", parameters: [.string("p")], now: 200)
        }
        #expect(throws: PartiQLError.nextTokenExpired) {
            _ = try tokens.position(token, statement: "SELECT * FROM t", parameters: [.string("p")], now: 100 + StatementTokens.lifetime)
        }
    }
}
