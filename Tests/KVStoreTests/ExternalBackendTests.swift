import Foundation
import Logging
import Testing

@testable import KVStore

/// The external-backend seam (`Storage/External/`) with a real backend behind it: SQLite's own
/// adapter driven through the public protocols (`SQLiteExternalBackend`). The engine suites that
/// take a `TestStorage` argument run through it too; these tests cover what they do not:
/// conditional writes and their failures, UpdateItem, TransactWriteItems cancellations, range
/// reads in batches, and the clear errors of what an external backend cannot do yet.
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
        #expect(throws: KVError.validation("This storage backend does not support reads on the calling thread yet")) {
            try engine.readItemNow(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")]))
        }
        // Refused at the call, not answered CREATING and lost (a backend without
        // `ExternalBackupStorage`; PostgreSQL has one).
        await #expect(throws: KVError.validation("This storage backend does not support on-demand backups yet")) {
            try await engine.createBackup(tableName: "Stocks", backupName: "b")
        }
        #expect(try await engine.listBackups(BackupListQuery()).backups.isEmpty)
        #expect(engine.storageFileSizes() == StorageFileSizes(databaseBytes: 0, walBytes: 0))
        // The refusals left the engine working.
        #expect(try await engine.getItem(GetItemRequest(tableName: "Stocks", key: ["id": .string("a")])) == ["id": .string("a")])
    }

    /// A partition of `count` items in table "Log" (pk "p", numeric sort keys 0..<count).
    static func logEngine(count: Int) async throws -> KVEngine {
        let engine = try await Self.engine()
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "Log",
                attributeDefinitions: [KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .number)],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        for sort in 0..<count {
            _ = try await engine.putItem(
                PutItemRequest(tableName: "Log", item: ["pk": .string("p"), "sk": .number(Number(sort)), "v": .string("x")]))
        }
        return engine
    }

    /// The batch sizes a walk of partition "p" of "Log" asks the backend for, and the rows walked.
    static func batches(_ engine: KVEngine, limit: Int?, order: KeyOrder = .ascending) async throws -> (asked: [Int], walked: [Int]) {
        let table = try #require(engine.catalog.table(named: "Log"))
        return try await engine.storage.read { transaction in
            guard case .external(let external) = transaction else { throw KVError.internalError("not external") }
            let store = RecordingItems(base: try external.items(of: table, context: ItemWriteContext(
                now: 0, shardRollover: 3600, origin: .client, itemCollectionLimit: EngineConfiguration.defaultItemCollectionLimit)))
            let range = ItemRange.partition(KeyEncoding.encode(.string("p")) ?? [], of: nil, order: order)
            var rows = ExternalItemRows(store: store, range: range, limit: limit)
            var walked: [Int] = []
            while try rows.next() {
                let item = try rows.withItemBytes { try ItemCodec.decode($0) }
                if case .number(let number)? = item["sk"] { walked.append(Int(number.description) ?? -1) }
            }
            return (store.asked.value, walked)
        }
    }

    @Test func rangeReadsAskForGrowingBoundedBatches() async throws {
        let engine = try await Self.logEngine(count: 1200)
        defer { engine.shutdown() }
        // Without Limit: 100, then doubling; the short batch ends the walk, no extra round trip.
        let all = try await Self.batches(engine, limit: nil)
        #expect(all.asked == [100, 200, 400, 800])
        #expect(all.walked == Array(0..<1200))
        // Backwards, each batch starting after the last row of the one before.
        let backwards = try await Self.batches(engine, limit: nil, order: .descending)
        #expect(backwards.walked == Array((0..<1200).reversed()))
        // A Limit bounds what is asked for in all.
        let limited = try await Self.batches(engine, limit: 250)
        #expect(limited.asked == [100, 150])
        #expect(limited.walked == Array(0..<250))
        // A batch that comes back exactly full is followed by one more ask, which finds nothing.
        let exact = try await Self.batches(engine, limit: 1500)
        #expect(exact.asked == [100, 200, 400, 800])
        let engine2 = try await Self.logEngine(count: 300)
        defer { engine2.shutdown() }
        let full = try await Self.batches(engine2, limit: nil)
        #expect(full.asked == [100, 200, 400])
        #expect(full.walked.count == 300)
    }

    @Test func batchesOfLargeItemsStopNearTheOneMegabytePage() async throws {
        let engine = try await Self.engine()
        defer { engine.shutdown() }
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "Log",
                attributeDefinitions: [KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .number)],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        // 300 items of about 5 KB: the first 100 are about half a page, so the second batch
        // asks for about as many again, not 200 (which would read twice what the page uses).
        let payload = String(repeating: "x", count: 5000)
        for sort in 0..<300 {
            _ = try await engine.putItem(
                PutItemRequest(tableName: "Log", item: ["pk": .string("p"), "sk": .number(Number(sort)), "v": .string(payload)]))
        }
        let walk = try await Self.batches(engine, limit: nil)
        #expect(walk.asked.first == 100)
        let second = try #require(walk.asked.dropFirst().first)
        #expect((100...120).contains(second))
        #expect(walk.walked == Array(0..<300))
        // The page itself: 1 MB read, then LastEvaluatedKey (DynamoDB's page limit).
        let page = try await engine.query(QueryRequest(tableName: "Log", partitionKeyValue: .string("p")))
        #expect(page.lastEvaluatedKey != nil)
        #expect(page.bytesRead >= 1_048_576 && page.scannedCount < 300)
    }

    @Test func queryAndScanPagesSpanSeveralBatches() async throws {
        let engine = try await Self.logEngine(count: 1200)
        defer { engine.shutdown() }
        let query = try await engine.query(QueryRequest(tableName: "Log", partitionKeyValue: .string("p"), scanIndexForward: false))
        #expect(query.count == 1200)
        #expect(query.items.first?["sk"] == .number(Number(1199)))
        #expect(query.lastEvaluatedKey == nil)
        let limited = try await engine.query(
            QueryRequest(
                tableName: "Log", partitionKeyValue: .string("p"), sortKeyCondition: .greater(.number(Number(99))),
                options: ReadOptions(limit: 300)))
        #expect(limited.count == 300)
        #expect(limited.items.last?["sk"] == .number(Number(399)))
        #expect(limited.lastEvaluatedKey == ["pk": .string("p"), "sk": .number(Number(399))])
        let scan = try await engine.scan(ScanRequest(tableName: "Log", options: ReadOptions(select: .count)))
        #expect(scan.count == 1200)
        #expect(scan.scannedCount == 1200)
    }
}

/// An external item storage that records the batch sizes the engine asks for.
private struct RecordingItems: ExternalItemStorage {
    let base: any ExternalItemStorage
    let asked = Recorded()

    final class Recorded: @unchecked Sendable {
        var value: [Int] = []
    }

    var table: TableDefinition { base.table }
    var needsOldItem: Bool { base.needsOldItem }
    func fetchEntry(_ key: StorageKey) throws -> (item: Item, size: Int)? { try base.fetchEntry(key) }
    func storedSize(_ key: StorageKey) throws -> Int? { try base.storedSize(key) }
    func forEachItem(
        after position: StorageKey?, order: KeyOrder, limit: Int, _ body: (StorageKey, Item) throws -> Void
    ) throws -> StorageKey? {
        try base.forEachItem(after: position, order: order, limit: limit, body)
    }
    func commit(_ change: PlannedChange, at key: StorageKey, old: Item?) throws -> IndexWriteUnits {
        try base.commit(change, at: key, old: old)
    }
    func itemCollectionMetrics(_ key: StorageKey, item: Item) throws -> ItemCollectionMetrics? {
        try base.itemCollectionMetrics(key, item: item)
    }
    func backfillIndex(_ index: IndexDefinition, key: StorageKey, item: Item) throws {
        try base.backfillIndex(index, key: key, item: item)
    }
    func backfillExpiry(_ key: StorageKey, item: Item, attribute: String) throws {
        try base.backfillExpiry(key, item: item, attribute: attribute)
    }
    func rows(in range: ItemRange, limit: Int) throws -> [ExternalRangeRow] {
        asked.value.append(limit)
        return try base.rows(in: range, limit: limit)
    }
}
