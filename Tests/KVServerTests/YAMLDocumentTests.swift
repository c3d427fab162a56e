import Testing

@testable import KVServer

/// The triggers file's YAML reader (libyaml): scalars resolve as YAML 1.2's core schema says
/// (https://yaml.org/spec/1.2.2/#1032-tag-resolution), quoted scalars stay strings.
@Suite struct YAMLDocumentTests {
    @Test(arguments: [
        ("a: 10", JSONValue.number("10")), ("a: -2.5e3", .number("-2.5e3")), ("a: '10'", .string("10")),
        ("a: true", .bool(true)), ("a: False", .bool(false)), ("a: \"true\"", .string("true")),
        ("a: ~", .null), ("a: null", .null), ("a:", .null), ("a: 010", .string("010")),
        ("a: http://127.0.0.1:9000/", .string("http://127.0.0.1:9000/")), ("a: [x, 1]", .array([.string("x"), .number("1")])),
        ("a: {b: [c]}", .object(["b": .array([.string("c")])])),
    ])
    func scalarsAndCollections(text: String, expected: JSONValue) throws {
        #expect(try YAMLDocument.parse(text) == .object(["a": expected]))
    }

    @Test func blockStyleDocument() throws {
        let text = """
            EventSourceMappings:
              - TableName: orders
                BatchSize: 5
                Command: [sh, -c, "echo hi"]
            """
        let expected: JSONValue = .object([
            "EventSourceMappings": .array([
                .object([
                    "TableName": .string("orders"), "BatchSize": .number("5"),
                    "Command": .array([.string("sh"), .string("-c"), .string("echo hi")]),
                ])
            ])
        ])
        #expect(try YAMLDocument.parse(text) == expected)
    }

    @Test(arguments: ["a: [unclosed", "a: &x 1\nb: *x", String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "{a: 1}: 2"])
    func refused(text: String) {
        #expect(throws: YAMLDocument.Failure.self) { try YAMLDocument.parse(text) }
    }
}
