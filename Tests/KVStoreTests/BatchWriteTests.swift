import Testing

@testable import KVStore

/// BatchWriteItem's engine side and the helpers its write path uses.
@Suite struct BatchWriteTests {
    static let hashOnly = KeySchema(partitionKey: KeyAttribute(name: "id", type: .string))
    static let hashAndRange = KeySchema(
        partitionKey: KeyAttribute(name: "id", type: .string), sortKey: KeyAttribute(name: "n", type: .number))

    /// `keyOfBatchPut` must decide exactly as `key(keyAttributes(of:))`, which it replaces:
    /// the same key, or the same error.
    @Test func putKeysMatchTheKeyParameterRules() throws {
        let items: [Item] = [
            ["id": .string("a"), "n": .number(Number(1)), "other": .bool(true)],
            ["id": .string("a")],
            ["n": .number(Number(1))],
            [:],
            ["id": .string(""), "n": .number(Number(1))],
            // An empty partition key with the sort key missing: the missing key wins.
            ["id": .string("")],
            ["id": .number(Number(1)), "n": .number(Number(1))],
            ["id": .string("a"), "n": .string("1")],
            ["id": .binary([1]), "n": .number(Number(2))],
            ["id": .string(String(repeating: "k", count: 2049)), "n": .number(Number(1))],
            ["id": .string("a"), "n": .null],
        ]
        for schema in [Self.hashOnly, Self.hashAndRange] {
            for item in items {
                let expected = Result { () throws(KVError) -> StorageKey in
                    try KeyValidator.key(KeyValidator.keyAttributes(of: item, schema: schema), schema: schema)
                }
                let actual = Result { () throws(KVError) -> StorageKey in try KeyValidator.keyOfBatchPut(item, schema: schema) }
                #expect(actual == expected, "\(item) with \(schema)")
            }
        }
    }

    @Test func keySetFindsDuplicatesBeforeAndAfterSwitchingToHashing() {
        func key(_ n: Int) -> StorageKey {
            let bytes = Array("key-\(n)".utf8)
            return StorageKey(hash: PartitionHash.of(bytes), partition: bytes, sort: [])
        }
        var set = BatchKeySet()
        var added: [Bool] = []
        for n in 0..<BatchKeySet.linearLimit {
            added.append(set.insert(key(n)))
        }
        added.append(!set.insert(key(3)))
        for n in BatchKeySet.linearLimit..<100 {
            added.append(set.insert(key(n)))
        }
        added.append(!set.insert(key(3)))
        added.append(!set.insert(key(99)))
        added.append(set.insert(key(100)))
        #expect(added.allSatisfy { $0 })
        // Same partition, different sort keys are different keys.
        var sorted = BatchKeySet()
        let first = sorted.insert(StorageKey(hash: 1, partition: [1], sort: [1]))
        let second = sorted.insert(StorageKey(hash: 1, partition: [1], sort: [2]))
        let again = sorted.insert(StorageKey(hash: 1, partition: [1], sort: [1]))
        #expect(first && second && !again)
    }

    @Test func encodingWithASizeHintIsTheSameEncoding() throws {
        let items: [Item] = [
            [:],
            ["id": .string("a"), "payload": .string(String(repeating: "x", count: 160))],
            [
                "n": .number(try Number(parsing: "-12.5e3")), "b": .binary([0, 1, 2]), "t": .bool(true), "z": .null,
                "l": .list([.string("x"), .map(["m": .numberSet([Number(1), Number(2)])])]),
                "ss": .stringSet(["é", "😀"]), "bs": .binarySet([[1], [2, 3]]),
            ],
        ]
        for item in items {
            let plain = ItemCodec.encode(item)
            for hint in [0, 1, ItemSize.of(item), ItemSize.maximum] {
                #expect(ItemCodec.encode(item, sizeHint: hint) == plain)
            }
            #expect(try ItemCodec.decode(plain) == item)
        }
    }

    @Test func borrowedBlobIsWrittenAndUnboundAfterwards() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        try connection.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)")
        let insert = try connection.statement("INSERT INTO t(id, b) VALUES (?, ?)")
        let blobs: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 9, count: 100_000)]
        for (id, blob) in blobs.enumerated() {
            try insert.bind(1, Int64(id))
            try insert.run(borrowing: blob, at: 2)
        }
        let select = try connection.statement("SELECT b, typeof(b) FROM t ORDER BY id")
        for blob in blobs {
            #expect(try select.step())
            #expect(select.blob(0) == blob)
            // An empty array is a zero-length blob, as with `bind`.
            #expect(select.text(1) == "blob")
        }
        // The statement no longer points at the caller's bytes.
        let echo = try connection.statement("SELECT ?1")
        try echo.run(borrowing: [7], at: 1)
        #expect(try echo.step())
        #expect(echo.isNull(0))

        // Nested borrows, one of them empty: all bound while the body steps, none afterwards.
        let pair = try connection.statement("SELECT ?1, ?2, typeof(?2)")
        let seen = try pair.withBorrowed([1, 2], at: 1) {
            try pair.withBorrowed([], at: 2) { () throws -> [String] in
                defer { pair.reset() }
                guard try pair.step() else { return [] }
                return ["\(pair.blob(0))", "\(pair.blob(1))", pair.text(2)]
            }
        }
        #expect(seen == ["[1, 2]", "[]", "blob"])
        #expect(try pair.step())
        #expect(pair.isNull(0) && pair.isNull(1))
    }

    @Test(arguments: TestStorage.allCases) func putsAndDeletesApplyTogether(storage: TestStorage) async throws {
        let engine = try await EngineTests.engine(storage: storage)
        defer { engine.shutdown() }
        try await EngineTests.createHashTable(engine)
        _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string("old"), "v": .string("1")]))
        var writes: [BatchWrite] = (0..<24).map { .put(["id": .string("k\($0)"), "v": .number(Number($0))]) }
        writes.append(.delete(["id": .string("old")]))
        let result = try await engine.batchWriteItem(BatchWriteRequest(tables: [("Stocks", writes)], measuresCapacity: true))
        #expect(result.unprocessed.isEmpty)
        #expect(result.consumedCapacity.map(\.tableName) == ["Stocks"])
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("old")])) == nil)
        for n in 0..<24 {
            let item = try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("k\(n)")]))
            #expect(item == ["id": .string("k\(n)"), "v": .number(Number(n))])
        }
    }

    @Test(arguments: TestStorage.allCases) func duplicateKeysAreRefusedWholeAtAnyLength(storage: TestStorage) async throws {
        let engine = try await EngineTests.engine(storage: storage)
        defer { engine.shutdown() }
        try await EngineTests.createHashTable(engine)
        for count in [2, 25, 40] {
            var writes: [BatchWrite] = (0..<count - 1).map { .put(["id": .string("d\($0)")]) }
            writes.append(.delete(["id": .string("d0")]))
            await #expect(throws: KVError.validation("Provided list of item keys contains duplicates")) {
                try await engine.batchWriteItem(BatchWriteRequest(tables: [("Stocks", writes)]))
            }
        }
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("d1")])) == nil)
    }

    @Test func batchWritesKeepIndexRows() async throws {
        // SQLite only: it checks the index rows with Query, which the external path lacks yet.
        let engine = try await EngineTests.engine()
        defer { engine.shutdown() }
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "Scores",
                attributeDefinitions: [KeyAttribute(name: "id", type: .string), KeyAttribute(name: "score", type: .number)],
                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false,
                globalSecondaryIndexes: [
                    IndexRequest(
                        name: "byScore",
                        keySchema: [
                            KeySchemaElement(attributeName: "id", keyType: .hash), KeySchemaElement(attributeName: "score", keyType: .range),
                        ],
                        projectionKind: .all, nonKeyAttributes: nil, provisionedThroughput: nil)
                ]))
        let writes: [BatchWrite] = (0..<5).map { .put(["id": .string("p"), "score": .number(Number($0))]) }
        await #expect(throws: KVError.validation("Provided list of item keys contains duplicates")) {
            try await engine.batchWriteItem(BatchWriteRequest(tables: [("Scores", writes)]))
        }
        let distinct: [BatchWrite] = (0..<5).map { .put(["id": .string("p\($0)"), "score": .number(Number($0))]) }
        _ = try await engine.batchWriteItem(BatchWriteRequest(tables: [("Scores", distinct)]))
        _ = try await engine.batchWriteItem(BatchWriteRequest(tables: [("Scores", [.delete(["id": .string("p2")])])]))
        let page = try await engine.query(
            QueryRequest(
                tableName: "Scores", partitionKeyValue: .string("p3"), sortKeyCondition: nil, scanIndexForward: true,
                options: ReadOptions(indexName: "byScore")))
        #expect(page.items == [["id": .string("p3"), "score": .number(Number(3))]])
        let deleted = try await engine.query(
            QueryRequest(
                tableName: "Scores", partitionKeyValue: .string("p2"), sortKeyCondition: nil, scanIndexForward: true,
                options: ReadOptions(indexName: "byScore")))
        #expect(deleted.items.isEmpty)
        await #expect(throws: KVError.self) {
            try await engine.batchWriteItem(
                BatchWriteRequest(tables: [("Scores", [.put(["id": .string("q"), "score": .string("not a number")])])]))
        }
    }
}
