import Foundation
import Testing

@testable import KVStore

/// Multi-attribute keys of global secondary indexes: the stored byte order, the Query range
/// planning over it, key condition planning and key schema rules.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
@Suite("Multi-attribute index keys")
struct MultiAttributeKeyTests {
    /// Two sort attributes: a string (with NUL and 0xFF-heavy UTF-8 to exercise the escaping) and a number.
    static let sortKeys = [KeyAttribute(name: "s", type: .string), KeyAttribute(name: "n", type: .number)]

    static func tuples() -> [(String, Int)] {
        let strings = ["", "\u{0}", "\u{0}\u{0}", "\u{0}a", "a", "a\u{0}", "a\u{0}b", "ab", "b", "\u{FF}", "ÿÿ", "\u{10FFFF}"]
        let numbers = [-100, -1, 0, 1, 2, 10, 99]
        return strings.flatMap { s in numbers.map { (s, $0) } }
    }

    static func encoded(_ tuple: (String, Int)) -> [UInt8] {
        CompositeKeyEncoding.encode([Array(tuple.0.utf8), Number(tuple.1).orderedBytes])
    }

    /// The tuple order DynamoDB gives a multi-attribute sort key: attribute by attribute.
    static func precedes(_ a: (String, Int), _ b: (String, Int)) -> Bool {
        if a.0 != b.0 { return Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8)) }
        return a.1 < b.1
    }

    @Test func byteOrderIsTupleOrder() {
        let tuples = Self.tuples()
        for a in tuples {
            for b in tuples {
                let (x, y) = (Self.encoded(a), Self.encoded(b))
                #expect(x.lexicographicallyPrecedes(y) == Self.precedes(a, b), "\(a) vs \(b)")
            }
        }
    }

    @Test func decodeInvertsEncode() {
        for tuple in Self.tuples() {
            let parts = [Array(tuple.0.utf8), Number(tuple.1).orderedBytes]
            #expect(CompositeKeyEncoding.decode(CompositeKeyEncoding.encode(parts)) == parts)
        }
        #expect(CompositeKeyEncoding.decode([0x61, 0x00]) == nil)
        #expect(CompositeKeyEncoding.decode([0x61, 0x00, 0x01]) == nil)
        #expect(CompositeKeyEncoding.decode([0x61]) == nil)
    }

    /// Whether `tuple` satisfies the prefix equalities and the condition, evaluated directly.
    static func satisfies(_ tuple: (String, Int), prefix: [AttributeValue], condition: KeyCondition.SortCondition?) -> Bool {
        let values: [AttributeValue] = [.string(tuple.0), .number(Number(tuple.1))]
        for (offset, value) in prefix.enumerated() where values[offset] != value { return false }
        guard let condition else { return true }
        return condition.matches(values[prefix.count])
    }

    static let cases: [(prefix: [AttributeValue], condition: KeyCondition.SortCondition?)] = [
        ([], .equal(.string("a"))),
        ([], .less(.string("a"))),
        ([], .lessOrEqual(.string("a"))),
        ([], .greater(.string("a"))),
        ([], .greaterOrEqual(.string("a\u{0}"))),
        ([], .between(.string("\u{0}"), .string("ab"))),
        ([], .beginsWith(.string("a"))),
        ([], .beginsWith(.string("\u{0}"))),
        ([], .beginsWith(.string("ÿ"))),
        ([], .beginsWith(.string(""))),
        ([.string("a")], nil),
        ([.string("a")], .equal(.number(Number(1)))),
        ([.string("a")], .less(.number(Number(1)))),
        ([.string("\u{0}")], .lessOrEqual(.number(Number(0)))),
        ([.string("a\u{0}")], .greater(.number(Number(-1)))),
        ([.string("")], .greaterOrEqual(.number(Number(2)))),
        ([.string("b")], .between(.number(Number(-100)), .number(Number(1)))),
    ]

    /// Every planned byte range holds exactly the tuples the condition selects.
    @Test(arguments: 0..<cases.count)
    func sortRangeSelectsExactlyTheMatchingTuples(_ index: Int) throws {
        let (prefix, condition) = Self.cases[index]
        let range = try KVEngine.sortRange(prefix: prefix, condition: condition, sortKeys: Self.sortKeys)
        for tuple in Self.tuples() {
            let bytes = Self.encoded(tuple)
            var inRange = true
            if let range {
                if let lower = range.lower, bytes.lexicographicallyPrecedes(lower) { inRange = false }
                if let upper = range.upper, !bytes.lexicographicallyPrecedes(upper) { inRange = false }
            }
            #expect(inRange == Self.satisfies(tuple, prefix: prefix, condition: condition), "\(tuple)")
        }
    }

    @Test func sortRangeRefusesBeginsWithOnANumberAndWrongTypes() {
        #expect(throws: KVError.self) {
            try KVEngine.sortRange(prefix: [.string("a")], condition: .beginsWith(.number(Number(1))), sortKeys: Self.sortKeys)
        }
        #expect(throws: KVError.self) {
            try KVEngine.sortRange(prefix: [.number(Number(1))], condition: nil, sortKeys: Self.sortKeys)
        }
    }

    // MARK: Key condition planning

    static let schema = KeySchema(
        partitionKeys: [KeyAttribute(name: "h1", type: .string), KeyAttribute(name: "h2", type: .number)],
        sortKeys: [KeyAttribute(name: "r1", type: .string), KeyAttribute(name: "r2", type: .string), KeyAttribute(name: "r3", type: .number)])

    static func plan(_ terms: [String: (op: String, values: [AttributeValue])]) -> Result<KeyCondition, KVError> {
        do throws(KVError) {
            return .success(try KeyCondition.plan(terms, schema: schema))
        } catch {
            return .failure(error)
        }
    }

    static func message(_ result: Result<KeyCondition, KVError>) -> String? {
        if case .failure(let error) = result { return error.message }
        return nil
    }

    @Test func planOrdersPartitionValuesAndSortPrefixBySchema() throws {
        let s = AttributeValue.string("x")
        let n = AttributeValue.number(Number(1))
        let condition = try Self.plan([
            "r2": ("begins_with", [.string("p")]), "h2": ("=", [n]), "r1": ("=", [s]), "h1": ("=", [.string("h")]),
        ]).get()
        #expect(condition.partitionValue == .string("h"))
        #expect(condition.additionalPartitionValues == [n])
        #expect(condition.sortPrefix == [s])
        #expect(condition.sortCondition == .beginsWith(.string("p")))
        let partitionOnly = try Self.plan(["h1": ("=", [s]), "h2": ("=", [n])]).get()
        #expect(partitionOnly.sortPrefix.isEmpty && partitionOnly.sortCondition == nil)
    }

    @Test(arguments: [
        (["h1": "="], "Query condition missed key schema element: h2"),
        (["h1": "=", "h2": ">"], "Query key condition not supported"),
        (["h1": "=", "h2": "=", "r2": "="], "Query condition missed key schema element: r1"),
        (["h1": "=", "h2": "=", "r1": "=", "r3": "<"], "Query condition missed key schema element: r2"),
        (["h1": "=", "h2": "=", "r1": "<", "r2": "="], "Query key condition not supported"),
        (["h1": "=", "h2": "=", "r1": "begins_with", "r2": "="], "Query key condition not supported"),
        (["h1": "=", "h2": "=", "other": "="], "Query condition missed key schema element: r1"),
    ])
    func planRefuses(_ ops: [String: String], _ expected: String) {
        var terms: [String: (op: String, values: [AttributeValue])] = [:]
        for (name, op) in ops { terms[name] = (op, [.string("v")]) }
        #expect(Self.message(Self.plan(terms)) == expected)
    }

    // MARK: Key schema rules

    static let definitions = ["a", "b", "c", "d", "e", "f", "g", "h", "i"].map { KeyAttribute(name: $0, type: .string) }

    static func schema(_ elements: [(String, KeyType)]) -> Result<KeySchema, KVError> {
        do throws(KVError) {
            return .success(try TableRules.indexKeySchema(
                elements.map { KeySchemaElement(attributeName: $0.0, keyType: $0.1) }, definitions: definitions, multiAttribute: true))
        } catch {
            return .failure(error)
        }
    }

    @Test func keySchemaOfFourAndFour() throws {
        let schema = try Self.schema([("a", .hash), ("b", .hash), ("c", .hash), ("d", .hash), ("e", .range), ("f", .range), ("g", .range), ("h", .range)]).get()
        #expect(schema.partitionKeys.map(\.name) == ["a", "b", "c", "d"])
        #expect(schema.sortKeys.map(\.name) == ["e", "f", "g", "h"])
        #expect(schema.isMultiAttribute)
        let ordinary = try Self.schema([("a", .hash), ("b", .range)]).get()
        #expect(!ordinary.isMultiAttribute && ordinary.additionalSortKeys == nil)
    }

    @Test func keySchemaRefusals() {
        func refused(_ elements: [(String, KeyType)]) -> Bool {
            if case .failure = Self.schema(elements) { return true }
            return false
        }
        #expect(refused([("a", .hash), ("b", .hash), ("c", .hash), ("d", .hash), ("e", .hash)]))
        #expect(refused([("a", .hash), ("b", .range), ("c", .range), ("d", .range), ("e", .range), ("f", .range)]))
        #expect(refused([("a", .hash), ("b", .range), ("c", .hash)]))
        #expect(refused([("a", .range), ("b", .hash), ("c", .hash)]))
        #expect(refused([("a", .hash), ("b", .hash), ("a", .range)]))
        #expect(refused([("a", .hash), ("a", .hash)]))
    }

    /// DynamoDB's texts as recorded against the live service (ack-api-quirks DDB-TABLE-123/-442).
    static let refusalTexts: [([(String, KeyType)], String)] = [
        ([("a", .hash), ("b", .hash), ("c", .hash), ("d", .hash), ("e", .hash)],
         "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of HASH key attributes"),
        ([("a", .hash), ("b", .range), ("c", .range), ("d", .range), ("e", .range), ("f", .range)],
         "One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of RANGE key attributes"),
        ([("a", .hash), ("b", .range), ("c", .hash)],
         "One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the KeySchema"),
        ([("a", .hash), ("b", .hash), ("a", .range)], "The KeySchema contains multiple key attributes with the same name"),
        ([("a", .range), ("b", .range)], "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ]

    @Test(arguments: refusalTexts)
    func keySchemaRefusalTexts(_ elements: [(String, KeyType)], _ text: String) {
        guard case .failure(let error) = Self.schema(elements) else {
            Issue.record("accepted \(elements)")
            return
        }
        #expect(error.message == text)
    }

    /// An ordinary key encodes to the catalog JSON it always had; a multi-attribute one round-trips.
    @Test func catalogEncodingStaysCompatible() throws {
        let ordinary = KeySchema(partitionKey: KeyAttribute(name: "p", type: .string), sortKey: KeyAttribute(name: "s", type: .number))
        let json = try JSONEncoder().encode(ordinary)
        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains("additional"))
        let old = #"{"partitionKey":{"name":"p","type":"S"},"sortKey":{"name":"s","type":"N"}}"#
        #expect(try JSONDecoder().decode(KeySchema.self, from: Data(old.utf8)) == ordinary)
        let multi = Self.schema
        #expect(try JSONDecoder().decode(KeySchema.self, from: JSONEncoder().encode(multi)) == multi)
    }

    // MARK: Which items an index holds

    static func index(_ schema: KeySchema) -> IndexDefinition {
        IndexDefinition(
            name: "idx", isGlobal: true, keySchema: schema, projection: IndexProjection(kind: .all), number: 1,
            status: .active, backfilling: false, throughput: ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0))
    }

    /// Index key violations (a backfill meets them in old items) keep the item out of the index.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.ViolationDetection.html
    @Test func rowKeyLeavesOutIndexKeyViolations() {
        let tableKey = StorageKey(hash: 0, partition: [1], sort: [])
        let ordinary = Self.index(KeySchema(partitionKey: KeyAttribute(name: "g", type: .string), sortKey: KeyAttribute(name: "s", type: .binary)))
        func indexed(_ item: Item, _ index: IndexDefinition) -> Bool { IndexKeys.rowKey(of: item, in: index, tableKey: tableKey) != nil }
        #expect(indexed(["g": .string(String(repeating: "x", count: 2048)), "s": .binary(Array(repeating: 1, count: 1024))], ordinary))
        #expect(!indexed(["g": .string(String(repeating: "x", count: 2049)), "s": .binary([1])], ordinary))
        #expect(!indexed(["g": .string("x"), "s": .binary(Array(repeating: 1, count: 1025))], ordinary))
        #expect(!indexed(["g": .string(""), "s": .binary([1])], ordinary))
        #expect(!indexed(["g": .string("x"), "s": .binary([])], ordinary))
        #expect(!indexed(["g": .number(Number(1)), "s": .binary([1])], ordinary))
        let multi = Self.index(Self.schema)
        let full: Item = ["h1": .string("a"), "h2": .number(Number(1)), "r1": .string("b"), "r2": .string("c"), "r3": .number(Number(2))]
        #expect(indexed(full, multi))
        for name in ["h1", "h2", "r1", "r2", "r3"] {
            var missing = full
            missing[name] = nil
            #expect(!indexed(missing, multi), "without \(name)")
        }
        var empty = full
        empty["r2"] = .string("")
        #expect(!indexed(empty, multi))
        var long = full
        long["r1"] = .string(String(repeating: "y", count: 1025))
        #expect(!indexed(long, multi))
        // The sort attributes together: 1000 + 22 + the number 2 (2 bytes) = 1024 fits; one byte more does not.
        var together = full
        together["r1"] = .string(String(repeating: "y", count: 1000))
        together["r2"] = .string(String(repeating: "z", count: 22))
        #expect(indexed(together, multi))
        together["r2"] = .string(String(repeating: "z", count: 23))
        #expect(!indexed(together, multi))
    }

    /// The stored bytes of a multi-attribute key are the composite encoding, each part apart.
    @Test func rowKeyOfAMultiAttributeIndex() throws {
        let tableKey = StorageKey(hash: 0, partition: [1], sort: [])
        let item: Item = ["h1": .string("a\u{0}"), "h2": .number(Number(1)), "r1": .string("b"), "r2": .string(""), "r3": .number(Number(2))]
        #expect(IndexKeys.rowKey(of: item, in: Self.index(Self.schema), tableKey: tableKey) == nil)
        var good = item
        good["r2"] = .string("c")
        let row = try #require(IndexKeys.rowKey(of: good, in: Self.index(Self.schema), tableKey: tableKey))
        #expect(CompositeKeyEncoding.decode(row.partition) == [Array("a\u{0}".utf8), Number(1).orderedBytes])
        #expect(CompositeKeyEncoding.decode(row.sort) == [Array("b".utf8), Array("c".utf8), Number(2).orderedBytes])
        #expect(row.hash == PartitionHash.of(row.partition))
    }
}
