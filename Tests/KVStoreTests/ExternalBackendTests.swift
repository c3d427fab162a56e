import Foundation
import Logging
import Testing

@testable import KVStore

/// The external-backend seam (`Storage/External/`) with a real backend behind it: SQLite's own
/// adapter driven through the public protocols (`SQLiteExternalBackend`). The engine suites that
/// take a `TestStorage` argument run through it too; these tests cover what they do not:
/// conditional writes and their failures, UpdateItem, TransactWriteItems cancellations, and the
/// clear errors of what an external backend cannot do yet.
@Suite struct ExternalBackendTests {
    static func engine() async throws -> KVEngine {
        try await TestStorage.externalSQLite.engine(EngineConfiguration(dataDirectory: nil))
    }

    static let values: [String: AttributeValue] = [":one": .number(Number(1)), ":open": .string("open")]

    static func condition(_ text: String, returnOld: Bool = false) throws -> WriteCondition {
        var attributes = ExpressionAttributes(names: nil, values: values)
        return WriteCondition(
            try ConditionExpression.parse(text, kind: .condition, attributes: &attributes), returnOldItemOnFailure: returnOld)
    }

    static func update(_ text: String) throws -> UpdateExpression {
        var attributes = ExpressionAttributes(names: nil, values: values)
        return try UpdateExpression.parse(text, attributes: &attributes)
    }

    @Test func engineRunsOnTheExternalPath() async throws {
        let engine = try await Self.engine()
        defer { engine.shutdown() }
        guard case .external(let backend) = engine.storage else {
            Issue.record("the engine holds SQLite directly")
            return
        }
        #expect(backend is SQLiteExternalBackend)
        #expect(engine.readsInline == false)
    }

    @Test func conditionalWritesCheckAndWriteTogether() async throws {
        let engine = try await Self.engine()
        defer { engine.shutdown() }
        try await EngineTests.createHashTable(engine)
        let item: Item = ["id": .string("task"), "phase": .string("open")]
        _ = try await engine.putItem(
            PutItemRequest(tableName: "Stocks", item: item, condition: try Self.condition("attribute_not_exists(id)")))
        // The same put again fails its condition, and hands back the stored item when asked.
        await #expect(throws: KVError(.conditionalCheckFailed, "The conditional request failed", item: item)) {
            try await engine.putItem(
                PutItemRequest(
                    tableName: "Stocks", item: item, condition: try Self.condition("attribute_not_exists(id)", returnOld: true)))
        }
        // Claim: an update conditioned on the state, then a second claim that fails.
        let claimed = try await engine.updateItem(
            UpdateItemRequest(
                tableName: "Stocks", key: ["id": .string("task")], update: try Self.update("SET claims = :one"),
                condition: try Self.condition("phase = :open"), returnValues: .allNew))
        #expect(claimed.attributes?["claims"] == .number(Number(1)))
        _ = try await engine.updateItem(
            UpdateItemRequest(
                tableName: "Stocks", key: ["id": .string("task")], update: try Self.update("REMOVE phase")))
        await #expect(throws: KVError.self) {
            try await engine.updateItem(
                UpdateItemRequest(
                    tableName: "Stocks", key: ["id": .string("task")], update: try Self.update("SET claims = :one"),
                    condition: try Self.condition("phase = :open")))
        }
        let stored = try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("task")]))
        #expect(stored == ["id": .string("task"), "claims": .number(Number(1))])
        // A conditional delete that fails leaves the item.
        await #expect(throws: KVError.self) {
            try await engine.deleteItem(
                DeleteItemRequest(
                    tableName: "Stocks", key: ["id": .string("task")], condition: try Self.condition("attribute_exists(phase)")))
        }
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("task")])) != nil)
    }

    @Test func cancelledTransactionWritesNothing() async throws {
        let engine = try await Self.engine()
        defer { engine.shutdown() }
        try await EngineTests.createHashTable(engine)
        _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string("a")]))
        let request = TransactWriteRequest(actions: [
            .put(PutItemRequest(tableName: "Stocks", item: ["id": .string("b")])),
            .put(
                PutItemRequest(
                    tableName: "Stocks", item: ["id": .string("a"), "v": .number(Number(1))],
                    condition: try Self.condition("attribute_not_exists(id)"))),
        ])
        await #expect(throws: KVError.self) { try await engine.transactWriteItems(request) }
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("b")])) == nil)
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")])) == ["id": .string("a")])
    }

    @Test func sqliteOnlyFeaturesRefuseClearly() async throws {
        let engine = try await Self.engine()
        defer { engine.shutdown() }
        try await EngineTests.createHashTable(engine)
        _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string("a")]))
        await #expect(throws: KVError.validation("This storage backend does not support Query and Scan yet")) {
            try await engine.scan(ScanRequest(tableName: "Stocks"))
        }
        await #expect(throws: KVError.validation("This storage backend does not support Query and Scan yet")) {
            try await engine.query(QueryRequest(tableName: "Stocks", partitionKeyValue: .string("a")))
        }
        #expect(throws: KVError.validation("This storage backend does not support reads on the calling thread yet")) {
            try engine.readItemNow(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")]))
        }
        await #expect(throws: KVError.validation("This storage backend does not support point-in-time recovery yet")) {
            try await engine.updateContinuousBackups(tableName: "Stocks", enabled: true, recoveryPeriodInDays: nil)
        }
        #expect(engine.storageFileSizes() == StorageFileSizes(databaseBytes: 0, walBytes: 0))
        // The refusals left the engine working.
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")])) == ["id": .string("a")])
    }
}
