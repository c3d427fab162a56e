import Foundation
import Logging
import Testing

@testable import KVStore

/// Query, Scan and secondary indexes through the engine port, on SQLite's own path and through
/// the external-backend seam (`TestStorage.externalSQLite`: pages read in batches).
@Suite struct QueryScanTests {
    static func leaderboard(_ storage: TestStorage) async throws -> KVEngine {
        let engine = try await EngineTests.engine(storage: storage)
        try await createRacesTable(engine)
        return engine
    }

    /// The leaderboard example's table: PK/SK strings, GSI_PK_Index on (PK, GSI number).
    static func createRacesTable(_ engine: KVEngine) async throws {
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "Races",
                attributeDefinitions: [
                    KeyAttribute(name: "PK", type: .string), KeyAttribute(name: "SK", type: .string),
                    KeyAttribute(name: "GSI", type: .number),
                ],
                keySchema: [KeySchemaElement(attributeName: "PK", keyType: .hash), KeySchemaElement(attributeName: "SK", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false,
                globalSecondaryIndexes: [
                    IndexRequest(
                        name: "GSI_PK_Index",
                        keySchema: [KeySchemaElement(attributeName: "PK", keyType: .hash), KeySchemaElement(attributeName: "GSI", keyType: .range)],
                        projectionKind: .all, nonKeyAttributes: nil, provisionedThroughput: nil)
                ]))
    }

    static func put(_ engine: KVEngine, race: Int, racer: Int, score: Int) async throws {
        _ = try await engine.putItem(
            PutItemRequest(
                tableName: "Races",
                item: ["PK": .string("race-\(race)"), "SK": .string("racer-\(racer)"), "GSI": .number(Number(score))]))
    }

    @Test(arguments: TestStorage.allCases) func queryIndexDescendingPaginatesEveryItemOnce(storage: TestStorage) async throws {
        let engine = try await Self.leaderboard(storage)
        defer { engine.shutdown() }
        for racer in 0..<250 {
            try await Self.put(engine, race: 1, racer: racer, score: (racer * 37) % 100)
        }
        try await Self.put(engine, race: 2, racer: 1, score: 5)
        var seen: [Item] = []
        var start: Item?
        repeat {
            let page = try await engine.query(
                QueryRequest(
                    tableName: "Races", partitionKeyValue: .string("race-1"), scanIndexForward: false,
                    options: ReadOptions(indexName: "GSI_PK_Index", limit: 100, exclusiveStartKey: start)))
            seen += page.items
            start = page.lastEvaluatedKey
        } while start != nil
        #expect(seen.count == 250)
        #expect(Set(seen.compactMap { $0["SK"] }).count == 250)
        let scores = seen.compactMap { item -> Number? in
            if case .number(let n) = item["GSI"] { return n }
            return nil
        }
        #expect(scores == scores.sorted(by: >))
    }

    @Test(arguments: TestStorage.allCases) func indexFollowsUpdatesAndDeletes(storage: TestStorage) async throws {
        let engine = try await Self.leaderboard(storage)
        defer { engine.shutdown() }
        try await Self.put(engine, race: 1, racer: 1, score: 10)
        try await Self.put(engine, race: 1, racer: 1, score: 20)
        _ = try await engine.putItem(PutItemRequest(tableName: "Races", item: ["PK": .string("race-1"), "SK": .string("sparse")]))
        var page = try await engine.query(
            QueryRequest(tableName: "Races", partitionKeyValue: .string("race-1"), options: ReadOptions(indexName: "GSI_PK_Index")))
        #expect(page.items.count == 1)
        #expect(page.items.first?["GSI"] == .number(Number(20)))
        _ = try await engine.deleteItem(
            DeleteItemRequest(tableName: "Races", key: ["PK": .string("race-1"), "SK": .string("racer-1")]))
        page = try await engine.query(
            QueryRequest(tableName: "Races", partitionKeyValue: .string("race-1"), options: ReadOptions(indexName: "GSI_PK_Index")))
        #expect(page.items.isEmpty)
    }

    @Test(arguments: TestStorage.allCases) func sortKeyConditions(storage: TestStorage) async throws {
        let engine = try await Self.leaderboard(storage)
        defer { engine.shutdown() }
        for racer in 0..<20 { try await Self.put(engine, race: 1, racer: racer, score: racer) }
        let prefix = try await engine.query(
            QueryRequest(tableName: "Races", partitionKeyValue: .string("race-1"), sortKeyCondition: .beginsWith(.string("racer-1"))))
        #expect(prefix.count == 11)  // racer-1, racer-10 ... racer-19
        let between = try await engine.query(
            QueryRequest(
                tableName: "Races", partitionKeyValue: .string("race-1"),
                sortKeyCondition: .between(.number(Number(5)), .number(Number(9))),
                options: ReadOptions(indexName: "GSI_PK_Index")))
        #expect(between.count == 5)
    }

    @Test(arguments: TestStorage.allCases) func parallelScanSegmentsCoverEachItemOnce(storage: TestStorage) async throws {
        let engine = try await Self.leaderboard(storage)
        defer { engine.shutdown() }
        for race in 0..<30 {
            for racer in 0..<10 { try await Self.put(engine, race: race, racer: racer, score: racer) }
        }
        var keys: [String] = []
        for segment in 0..<4 {
            var start: Item?
            repeat {
                let page = try await engine.scan(
                    ScanRequest(tableName: "Races", segment: segment, totalSegments: 4, options: ReadOptions(limit: 7, exclusiveStartKey: start)))
                keys += page.items.map { "\($0["PK"]!)\($0["SK"]!)" }
                start = page.lastEvaluatedKey
            } while start != nil
        }
        #expect(keys.count == 300)
        #expect(Set(keys).count == 300)
    }

    @Test(arguments: TestStorage.allCases) func globalIndexAddedLaterIsBackfilled(storage: TestStorage) async throws {
        let engine = try await EngineTests.engine(storage: storage)
        defer { engine.shutdown() }
        try await EngineTests.createHashTable(engine, "Queue")
        for index in 0..<1200 {
            _ = try await engine.putItem(
                PutItemRequest(tableName: "Queue", item: ["id": .string("t\(index)"), "taskStatus": .string(index % 2 == 0 ? "PENDING" : "DONE")]))
        }
        _ = try await engine.updateTable(
            UpdateTableRequest(
                tableName: "Queue", attributeDefinitions: [KeyAttribute(name: "taskStatus", type: .string)],
                indexUpdates: [
                    .create(
                        IndexRequest(
                            name: "by-status", keySchema: [KeySchemaElement(attributeName: "taskStatus", keyType: .hash)],
                            projectionKind: .keysOnly, nonKeyAttributes: nil, provisionedThroughput: nil))
                ]))
        var status = IndexDefinition.Status.creating
        for _ in 0..<200 where status != .active {
            // Over a shared catalog (an external backend) the backfill is the index-backfill
            // duty's, started by the maintenance pass of the node holding it, not by UpdateTable.
            if engine.catalogIsShared { try await engine.maintenancePass() }
            try await Task.sleep(for: .milliseconds(10))
            status = try await engine.describeTable("Queue").definition.index(named: "by-status")?.status ?? .creating
        }
        #expect(status == .active)
        let page = try await engine.query(
            QueryRequest(tableName: "Queue", partitionKeyValue: .string("PENDING"), options: ReadOptions(indexName: "by-status", select: .count)))
        #expect(page.count == 600)
    }
}
