import Logging
import Testing

@testable import KVStore

/// The unit arithmetic of `ReturnConsumedCapacity`, then the engine reporting it.
@Suite("Consumed capacity")
struct ConsumedCapacityTests {
    // Reads: 4 KB blocks rounded up, at least one; eventual halves, transactional doubles.
    @Test(
        "read units",
        arguments: [
            (0, CapacityUnits.ReadKind.stronglyConsistent, 1.0), (1, .stronglyConsistent, 1), (4096, .stronglyConsistent, 1),
            (4097, .stronglyConsistent, 2), (8192, .stronglyConsistent, 2), (409_600, .stronglyConsistent, 100),
            (0, .eventuallyConsistent, 0.5), (4096, .eventuallyConsistent, 0.5), (4097, .eventuallyConsistent, 1),
            (12289, .eventuallyConsistent, 2), (0, .transactional, 2), (4097, .transactional, 4),
        ])
    func readUnits(bytes: Int, kind: CapacityUnits.ReadKind, units: Double) {
        #expect(CapacityUnits.read(bytes: bytes, kind) == units)
    }

    // Writes: 1 KB blocks rounded up, at least one; transactional doubles.
    @Test(
        "write units",
        arguments: [
            (0, false, 1.0), (1, false, 1), (1024, false, 1), (1025, false, 2), (409_600, false, 400),
            (0, true, 2), (1025, true, 4), (2048, true, 4),
        ])
    func writeUnits(bytes: Int, transactional: Bool, units: Double) {
        #expect(CapacityUnits.write(bytes: bytes, transactional: transactional) == units)
    }

    @Test("index writes: untouched, put, delete, update, move")
    func indexWrites() {
        #expect(CapacityUnits.indexWrite(.untouched) == 0)
        #expect(CapacityUnits.indexWrite(.put(100)) == 1)
        #expect(CapacityUnits.indexWrite(.delete(2000)) == 2)
        #expect(CapacityUnits.indexWrite(.update(old: 500, new: 1500)) == 2)
        // A changed index key is a delete of the old entry plus a put of the new one.
        #expect(CapacityUnits.indexWrite(.move(old: 100, new: 1500)) == 3)
    }

    @Test("negative sizes never trap")
    func negativeSizes() {
        #expect(CapacityUnits.read(bytes: -5, .stronglyConsistent) == 1)
        #expect(CapacityUnits.write(bytes: Int.min) == 1)
        #expect(CapacityUnits.write(bytes: Int.max) > 0)
    }

    @Test("totals, sums per table and transactional scaling")
    func aggregation() {
        let first = ConsumedCapacity(tableName: "a", kind: .write, table: 1, globalIndexes: ["g": 1])
        let second = ConsumedCapacity(tableName: "b", kind: .write, table: 2, localIndexes: ["l": 1])
        let third = ConsumedCapacity(tableName: "a", kind: .write, table: 3, globalIndexes: ["g": 2, "h": 1])
        let perTable = ConsumedCapacity.perTable([first, second, third])
        #expect(perTable.map(\.tableName) == ["a", "b"])
        #expect(perTable[0].table == 4)
        #expect(perTable[0].globalIndexes == ["g": 3, "h": 1])
        #expect(perTable[0].total == 8)
        #expect(perTable[1].total == 3)
        let doubled = perTable[0].scaled(by: 2, kind: .transactionalWrite)
        #expect(doubled.total == 16)
        #expect(doubled.kind == .transactionalWrite)
    }

    // MARK: - The engine reports what it read and wrote

    static func engine(storage: TestStorage = .sqlite) async throws -> KVEngine {
        try await storage.engine(EngineConfiguration(dataDirectory: nil))
    }

    static func createTable(_ engine: KVEngine, withIndex: Bool) async throws {
        var request = CreateTableRequest(
            tableName: "Scores", attributeDefinitions: [KeyAttribute(name: "id", type: .string), KeyAttribute(name: "score", type: .number)],
            keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)],
            billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false)
        if withIndex {
            request.globalSecondaryIndexes = [
                IndexRequest(
                    name: "byScore", keySchema: [KeySchemaElement(attributeName: "score", keyType: .hash)],
                    projectionKind: .keysOnly, nonKeyAttributes: nil, provisionedThroughput: nil)
            ]
        } else {
            request.attributeDefinitions.removeLast()
        }
        _ = try await engine.createTable(request)
    }

    static func item(_ id: String, score: Int? = nil, padding: Int) -> Item {
        var item: Item = ["id": .string(id), "pad": .string(String(repeating: "x", count: padding))]
        if let score { item["score"] = .number(Number(score)) }
        return item
    }

    @Test(arguments: TestStorage.allCases) func putCountsTheLargerOfOldAndNewAndEachIndex(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createTable(engine, withIndex: true)
        // 2 + 3 + 2 + 3000 bytes: 3 write units on the table; the keys-only index entry is small.
        let big = try await engine.putItem(PutItemRequest(tableName: "Scores", item: Self.item("a", score: 1, padding: 3000)))
        #expect(big.consumedCapacity?.table == 3)
        #expect(big.consumedCapacity?.globalIndexes == ["byScore": 1])
        // Replacing it with a small item still costs the old size; the index key moves: delete + put.
        var small = PutItemRequest(tableName: "Scores", item: Self.item("a", score: 2, padding: 10))
        small.measuresCapacity = true
        let replaced = try await engine.putItem(small)
        #expect(replaced.consumedCapacity?.table == 3)
        #expect(replaced.consumedCapacity?.globalIndexes == ["byScore": 2])
        // Same index key, keys-only projection unchanged: the index is not written.
        let same = try await engine.putItem(PutItemRequest(tableName: "Scores", item: Self.item("a", score: 2, padding: 20)))
        #expect(same.consumedCapacity?.globalIndexes == [:])
        #expect(same.consumedCapacity?.total == 1)
    }

    @Test(arguments: TestStorage.allCases) func readsCountStoredSizes(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createTable(engine, withIndex: false)
        _ = try await engine.putItem(PutItemRequest(tableName: "Scores", item: Self.item("a", padding: 5000)))
        let eventual = try await engine.readItem(GetItemRequest(tableName: "Scores", key: ["id": .string("a")]))
        #expect(eventual.consumedCapacity.total == 1)
        let strong = try await engine.readItem(GetItemRequest(tableName: "Scores", key: ["id": .string("a")], consistentRead: true))
        #expect(strong.consumedCapacity.total == 2)
        let missing = try await engine.readItem(GetItemRequest(tableName: "Scores", key: ["id": .string("zz")]))
        #expect(missing.item == nil)
        #expect(missing.consumedCapacity.total == 0.5)
        let deleted = try await engine.deleteItem(DeleteItemRequest(tableName: "Scores", key: ["id": .string("a")]))
        #expect(deleted.consumedCapacity?.total == 5)
    }

    @Test(arguments: TestStorage.allCases) func transactionsDoubleAndReplayReportsReads(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createTable(engine, withIndex: false)
        let request = TransactWriteRequest(
            actions: [.put(PutItemRequest(tableName: "Scores", item: Self.item("a", padding: 1500)))],
            clientToken: ("token-1", "fingerprint-1"))
        let first = try await engine.transactWriteItems(request)
        #expect(first.replayed == false)
        #expect(first.consumedCapacity.map(\.total) == [4])
        let again = try await engine.transactWriteItems(request)
        #expect(again.replayed == true)
        #expect(again.consumedCapacity.map(\.total) == [2])
        await #expect(throws: KVError.self) {
            try await engine.transactWriteItems(
                TransactWriteRequest(actions: request.actions, clientToken: ("token-1", "fingerprint-2")))
        }
    }
}
