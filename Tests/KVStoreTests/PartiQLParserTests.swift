import Testing

@testable import KVStore

/// PartiQL lexing and parsing: statements in, trees or DynamoDB's exact errors out.
/// Error texts as real DynamoDB answers them (recorded by the Parity Suite's PartiQL grammar tests
/// and DynamoDB Local's ValidationExceptionMessages);
/// see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
@Suite struct PartiQLParserTests {
    static func parse(_ text: String) throws(KVError) -> ParsedStatement { try PartiQLParser.parse(text) }

    static func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.message
        }
    }

    static func path(_ name: String) -> PartiQLExpression { .path(DocumentPath(attribute: name)) }

    @Test(arguments: [
        #"SELECT * FROM "T" WHERE pk = 'a'"#,
        #"select * from T where pk = 'a';"#,
        #"SELECT a, b.c, d[2], "e f" FROM "T"."idx" WHERE pk = ? AND sk BETWEEN 1 AND 5"#,
        #"SELECT * FROM T WHERE pk = 'a' AND begins_with("sk", 'x') ORDER BY sk DESC"#,
        #"SELECT * FROM T WHERE a IN [1, 2, 3] OR b IN ('x', 'y') OR NOT c <> 4"#,
        #"SELECT * FROM T WHERE a IS MISSING AND b IS NOT NULL AND size(c) >= 2 AND contains(d, 'x')"#,
        #"SELECT * FROM T WHERE attribute_type(a, 'S') AND x NOT BETWEEN 1 AND 2 -- comment"#,
        "SELECT * FROM T /* block */ WHERE pk = -1.5e3",
        #"INSERT INTO "T" VALUE {'pk': 'a', 'n': 1, 's': <<'x', 'y'>>, 'ns': <<1, 2>>, 'l': [1, 'b', NULL, TRUE], 'm': {'k': false}}"#,
        #"INSERT INTO T VALUE {'pk': ?, 'data': ?}"#,
        #"UPDATE "T" SET a = 'x', b = b + 1, c = list_append(c, [1]) REMOVE d WHERE pk = 'a' RETURNING ALL NEW *"#,
        #"UPDATE T SET s = set_add(s, <<'z'>>) SET t = set_delete(t, <<1>>) WHERE pk = 'a' AND x > 1 RETURNING MODIFIED OLD *"#,
        #"DELETE FROM "T" WHERE pk = 'a' AND sk = 2 RETURNING ALL OLD *"#,
        #"EXISTS(SELECT * FROM "T" WHERE pk = 'a' AND a = 1)"#,
        #"FROM "T" WHERE pk = 'a' SET c = 1 REMOVE d"#,
        "FROM T SET c = 1",
        "SELECT * FROM T WHERE a IS STRING AND b IS NOT NUMERIC AND c IS LIST",
    ])
    func accepts(_ statement: String) throws {
        _ = try Self.parse(statement)
    }

    /// Deep nesting or long operator chains are refused before they can exhaust the stack.
    @Test(arguments: [
        "SELECT * FROM t WHERE " + String(repeating: "(", count: 4000) + "a = 1" + String(repeating: ")", count: 4000),
        "SELECT * FROM t WHERE " + String(repeating: "NOT ", count: 2000) + "a = 1",
        "INSERT INTO t VALUE {'pk': " + String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000) + "}",
        "UPDATE t SET a = a" + String(repeating: " + 1", count: 1000) + " WHERE pk = 'x'",
        "SELECT * FROM t WHERE " + Array(repeating: "a = 1", count: 400).joined(separator: " AND "),
    ])
    func refusesStatementsTooComplex(_ statement: String) {
        #expect(Self.error(statement) == PartiQLParser.tooComplex.message)
    }

    @Test func acceptsModerateNesting() throws {
        _ = try Self.parse("SELECT * FROM t WHERE " + String(repeating: "(", count: 30) + "a = 1" + String(repeating: ")", count: 30))
        _ = try Self.parse("SELECT * FROM t WHERE " + Array(repeating: "a = 1", count: 100).joined(separator: " AND "))
    }

    @Test func selectTree() throws {
        let parsed = try Self.parse(#"SELECT a.b, "c" FROM "T"."I" WHERE pk = ? AND n > 5 ORDER BY sk DESC"#)
        #expect(parsed.parameterCount == 1)
        #expect(
            parsed.statement
                == .select(
                    PartiQLSelect(
                        projection: [DocumentPath([.attribute("a"), .attribute("b")]), DocumentPath(attribute: "c")],
                        source: PartiQLSource(table: "T", index: "I"),
                        condition: .and(
                            .compare(.equal, Self.path("pk"), .parameter(0)),
                            .compare(.greater, Self.path("n"), .literal(.number(Number(5))))),
                        ordering: [PartiQLOrdering(path: DocumentPath(attribute: "sk"), descending: true)])))
    }

    @Test func insertTree() throws {
        let parsed = try Self.parse(#"INSERT INTO T VALUE {'pk': 'a', 'n': ?, 'l': [1]}"#)
        #expect(
            parsed.statement
                == .insert(
                    table: "T",
                    value: .tuple([
                        ("pk", .literal(.string("a"))), ("n", .parameter(0)), ("l", .list([.literal(.number(Number(1)))])),
                    ])))
    }

    @Test func stringsAndIdentifiersUnescapeDoubledQuotes() throws {
        let parsed = try Self.parse(#"SELECT * FROM "a""b" WHERE pk = 'it''s'"#)
        guard case .select(let select) = parsed.statement else {
            Issue.record("not a select")
            return
        }
        #expect(select.source.table == "a\"b")
        #expect(select.condition == .compare(.equal, Self.path("pk"), .literal(.string("it's"))))
    }

    static let malformed = "Statement wasn't well formed, can't be processed: "

    @Test(arguments: [
        ("SELECTT * FROMM \"T\"", malformed + "Expected data manipulation"),
        ("", malformed + "Expected data manipulation"),
        ("SELECT * FROM \"T\" WHERE pk = 1 foo", malformed + "Unexpected token after expression"),
        ("SELECT * FROM \"T\" WHERE pk = 1 e5", malformed + "Unexpected token after expression"),
        ("INSERT INTO \"T\" VALUE {'pk': 1} foo", malformed + "Unexpected token after expression"),
        ("UPDATE \"T\" SET a = 9 WHERE pk = 2 foo", malformed + "Unexpected token after expression"),
        ("DELETE FROM \"T\" WHERE pk = 3 foo", malformed + "Unexpected token after expression"),
        ("SELECT * FROM \"T\" WHERE pk = 1)", malformed + "Unexpected token after expression"),
        ("DELETE FROM \"T\" WHERE pk = 4 ORDER BY pk", malformed + "Unexpected token after expression"),
        ("SELECT * FROM \"T\" ORDER BY pk WHERE pk = 1", malformed + "Unexpected token after expression"),
        ("SELECT * FROM \"T\" WHERE pk = 1 # note", malformed),
        ("SELECT * FROM \"T\" WHERE pk = 1 /* note", malformed),
        ("SELECT * FROM \"T\" t WHERE pk = 'x'", "Aliasing is not supported"),
        ("SELECT * FROM \"T\" AS t WHERE pk = 'x'", "Aliasing is not supported"),
        ("UPDATE \"T\" t SET a = 3 WHERE pk = 'x'", "Aliasing is not supported"),
        ("DELETE FROM \"T\" t WHERE pk = 'x'", "Aliasing is not supported"),
        ("INSERT INTO \"T\" t VALUE {'pk': 'x'}", malformed + "Unexpected token after expression"),
        ("SELECT * FROM \"T\" WHERE pk = 1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range under root"),
        ("SELECT * FROM \"T\" WHERE pk = 1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range under root"),
        ("SELECT * FROM \"T\" WHERE pk = 123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number under root"),
        ("SELECT * FROM \"T\" WHERE", malformed + "Unexpected term"),
        ("SELECT * FROM \"T\" WHERE;", malformed + "Unexpected term"),
        ("UPDATE \"T\" SET a = 1 WHERE", malformed + "Unexpected term"),
        ("SELECT * FROM \"T\" WHERE NOT", malformed + "Unexpected term"),
        ("SELECT * FROM \"T\" WHERE (", malformed + "Unexpected term"),
        ("SELECT * FROM \"T\" WHERE pk = 'p1' AND", malformed + "Missing right-hand side expression of infix operator"),
        ("SELECT * FROM \"T\" WHERE pk = 'p1' OR", malformed + "Missing right-hand side expression of infix operator"),
        ("SELECT * FROM \"T\" WHERE ORDER BY pk", malformed + "Unexpected keyword"),
        ("SELECT * FROM \"T\" WHERE pk = 'a' AND x IS FOO", malformed + "Expected type name"),
        ("SELECT * FROM \"T\" WHERE IS NULL", malformed + "Unexpected operator"),
        ("SELECT * FROM \"T\" WHERE pk = LIKE", malformed + "Unexpected operator"),
        ("DELETE FROM", malformed + "Expected identifier for simple path"),
        ("DELETE FROM;", malformed + "Expected identifier for simple path"),
        ("DELETE FROM WHERE pk = 'a'", malformed + "Expected identifier for simple path"),
        ("SELECT * FROM", malformed + "Unexpected term"),
        ("SELECT *, a FROM T", "Other attributes should not be present in the projection when '*' is used."),
        ("INSERT INTO T VALUE {'pk': 'a'} RETURNING ALL OLD *", "RETURNING is not supported in INSERT"),
        ("DELETE FROM T WHERE pk = 'a' RETURNING ALL NEW *",
         "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE statements."),
        ("INSERT INTO T VALUE <<{'pk': 'a'}>>",
         "Unsupported operation: Inserting multiple items in a single statement is not supported, use \"INSERT INTO tableName VALUE item\" instead"),
        // A reserved word as a bare name is a syntax error (DynamoDB Local records it; the detail is ours).
        ("SELECT * FROM T WHERE pad = 'none'", malformed + "Unexpected keyword"),
        ("SELECT * FROM \"T\" WHERE pk = 1e2147483648", malformed),
        ("SELECT * FROM \"T\" WHERE pk = 1e99999999999", malformed),
        ("SELECT * FROM \"T\" WHERE pk = 1.5e-2147483647", malformed),
        ("INSERT INTO \"T\" VALUE {'pk': 970006, 'm': {'x': 1e126}}",
         "Number overflow. Attempting to store a number with magnitude larger than supported range under root.x"),
        ("INSERT INTO \"T\" VALUE {'pk': 970007, 'l': [1, 1e126]}",
         "Number overflow. Attempting to store a number with magnitude larger than supported range under root[1]"),
        ("UPDATE \"T\" SET a = 1e-131 WHERE pk = 5",
         "Number underflow. Attempting to store a number with magnitude smaller than supported range under root"),
        ("INSERT INTO T VALUE {'pk': 'a', 'pk': 'b'}", "Duplicate keys in tuple. Key: pk under root"),
        ("FROM \"T\" SET c = 1 WHERE pk = 'x'", malformed + "Unexpected token after expression"),
        ("FROM \"T\" SET c = 1 WHERE pk = 'x' SET d = 2", malformed + "Unexpected token after expression"),
    ] as [(String, String)])
    func refuses(_ statement: String, _ message: String) {
        #expect(Self.error(statement) == message)
    }
}
