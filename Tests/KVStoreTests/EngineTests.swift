import Foundation
import Logging
import Testing

@testable import KVStore

/// The engine through its public port, on a fresh in-memory database per test.
@Suite struct EngineTests {
    static func engine(directory: String? = nil, storage: TestStorage = .sqlite) async throws -> KVEngine {
        try await storage.engine(EngineConfiguration(dataDirectory: directory))
    }

    static func createHashTable(_ engine: KVEngine, _ name: String = "Stocks", type: ScalarType = .string) async throws {
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: name, attributeDefinitions: [KeyAttribute(name: "id", type: type)],
                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
    }

    @Test(arguments: TestStorage.allCases) func putGetDeleteRoundTrip(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createHashTable(engine)
        let item: Item = ["id": .string("a"), "VALUE": .number(try Number(parsing: "17.5")), "tags": .stringSet(["x", "y"])]
        let put = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: item, returnValues: .allOld))
        #expect(put.attributes == nil)
        let fetched = try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")]))
        #expect(fetched == item)
        let deleted = try await engine.deleteItem(
            DeleteItemRequest(tableName: "Stocks", key: ["id": .string("a")], returnValues: .allOld))
        #expect(deleted.attributes == item)
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")])) == nil)
    }

    @Test(arguments: TestStorage.allCases) func numericKeysCompareByValue(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createHashTable(engine, type: .number)
        _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .number(try Number(parsing: "1e3"))]))
        let fetched = try await engine.getItem(
            GetItemRequest(tableName: "Stocks", key: ["id": .number(try Number(parsing: "1000"))]))
        #expect(fetched != nil)
    }

    @Test(arguments: TestStorage.allCases) func keyErrorsUseDynamoDBMessages(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createHashTable(engine)
        await #expect(throws: KVError.validation("One or more parameter values were invalid: Missing the key id in the item")) {
            try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["other": .string("x")]))
        }
        await #expect(
            throws: KVError.validation(
                "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N")
        ) {
            try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .number(Number(1))]))
        }
        await #expect(throws: KVError.validation("The provided key element does not match the schema")) {
            try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("a"), "x": .string("b")]))
        }
        await #expect(throws: KVError.resourceNotFound("Requested resource not found")) {
            try await engine.getItem(GetItemRequest(tableName: "Missing", key: ["id": .string("a")]))
        }
    }

    @Test(arguments: TestStorage.allCases) func oversizedKeysAreRefused(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createHashTable(engine)
        _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string(String(repeating: "k", count: 2048))]))
        await #expect(throws: KVError.self) {
            try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string(String(repeating: "k", count: 2049))]))
        }
    }

    @Test(arguments: TestStorage.allCases) func createTwiceIsResourceInUse(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createHashTable(engine)
        await #expect(throws: KVError.resourceInUse("Table already exists: Stocks")) {
            try await Self.createHashTable(engine)
        }
    }

    @Test(arguments: TestStorage.allCases) func listTablesPaginatesInOrder(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        for name in ["ccc", "aaa", "bbb", "ddd"] { try await Self.createHashTable(engine, name) }
        let first = engine.listTables(exclusiveStartTableName: nil, limit: 3)
        #expect(first.tableNames == ["aaa", "bbb", "ccc"])
        #expect(first.lastEvaluatedTableName == "ccc")
        let second = engine.listTables(exclusiveStartTableName: "ccc", limit: 3)
        #expect(second.tableNames == ["ddd"])
        #expect(second.lastEvaluatedTableName == nil)
    }

    @Test(arguments: TestStorage.allCases) func describeCountsItemsAndDeleteRemovesTable(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        try await Self.createHashTable(engine)
        for index in 0..<5 {
            _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string("k\(index)")]))
        }
        let description = try await engine.describeTable("Stocks")
        #expect(description.itemCount == 5)
        #expect(description.sizeBytes > 0)
        let deleted = try await engine.deleteTable("Stocks")
        #expect(deleted.status == .deleting)
        await #expect(throws: KVError.resourceNotFound("Requested resource not found: Table: Stocks not found")) {
            try await engine.describeTable("Stocks")
        }
    }

    @Test(arguments: TestStorage.allCases) func deletionProtectionRefusesDelete(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "Kept", attributeDefinitions: [KeyAttribute(name: "id", type: .string)],
                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: true))
        await #expect(throws: KVError.self) { try await engine.deleteTable("Kept") }
        #expect(try await engine.describeTable("Kept").definition.deletionProtection)
    }

    @Test(arguments: TestStorage.allCases) func dataSurvivesReopen(storage: TestStorage) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let engine = try await Self.engine(directory: directory, storage: storage)
            try await Self.createHashTable(engine)
            _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string("a"), "v": .bool(true)]))
            engine.shutdown()
        }
        let reopened = try await Self.engine(directory: directory, storage: storage)
        defer { reopened.shutdown() }
        let item = try await reopened.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")]))
        #expect(item == ["id": .string("a"), "v": .bool(true)])
    }

    @Test(arguments: TestStorage.allCases) func keySchemaRulesInDynamoDBOrder(storage: TestStorage) async throws {
        let engine = try await Self.engine(storage: storage)
        defer { engine.shutdown() }
        await #expect(throws: KVError.validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")) {
            try await engine.createTable(
                CreateTableRequest(
                    tableName: "Bad", attributeDefinitions: [KeyAttribute(name: "id", type: .string)],
                    keySchema: [KeySchemaElement(attributeName: "id", keyType: .range)],
                    billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        }
        await #expect(
            throws: KVError.validation(
                "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [other]"
            )
        ) {
            try await engine.createTable(
                CreateTableRequest(
                    tableName: "Bad", attributeDefinitions: [KeyAttribute(name: "other", type: .string)],
                    keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)],
                    billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        }
    }
}
