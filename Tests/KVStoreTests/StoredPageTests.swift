import Foundation
import Testing

@testable import KVStore

/// Pages read with `returnsStoredItems` (and on the inline reader, in file mode) must hold
/// exactly what the decoded pages hold, page for page.
@Suite struct StoredPageTests {
    @Test(arguments: [false, true])
    func queryPagesMatchDecodedPages(fileBacked: Bool) async throws {
        try await withEngine(fileBacked: fileBacked) { engine in
            try await fill(engine)
            for index in [nil, "GSI_PK_Index"] {
                for limit in [nil, 1, 7, 100, 101, 249, 250] as [Int?] {
                    for forward in [true, false] {
                        try await comparePages(limit: limit, index: index) { options in
                            try await engine.query(
                                QueryRequest(
                                    tableName: "Races", partitionKeyValue: .string("race-1"), scanIndexForward: forward,
                                    options: options))
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: [false, true])
    func scanPagesMatchDecodedPages(fileBacked: Bool) async throws {
        try await withEngine(fileBacked: fileBacked) { engine in
            try await fill(engine)
            for limit in [nil, 3, 100, 101] as [Int?] {
                try await comparePages(limit: limit, index: nil) { options in
                    try await engine.scan(ScanRequest(tableName: "Races", options: options))
                }
            }
        }
    }

    @Test(arguments: [false, true])
    func filtersAndCountsStillDecode(fileBacked: Bool) async throws {
        try await withEngine(fileBacked: fileBacked) { engine in
            try await fill(engine)
            let filtered = try await engine.query(
                QueryRequest(
                    tableName: "Races", partitionKeyValue: .string("race-1"),
                    options: ReadOptions(filter: { $0["GSI"] == .number(Number(3)) }, returnsStoredItems: true)))
            #expect(filtered.storedItems.isEmpty)
            #expect(filtered.items.count == filtered.count)
            #expect(filtered.count == 3)
            let counted = try await engine.query(
                QueryRequest(
                    tableName: "Races", partitionKeyValue: .string("race-1"),
                    options: ReadOptions(select: .count, limit: 10, returnsStoredItems: true)))
            #expect(counted.storedItems.isEmpty && counted.items.isEmpty)
            #expect(counted.count == 10 && counted.lastEvaluatedKey != nil)
        }
    }

    @Test(arguments: [false, true])
    func getItemReturnsTheStoredItem(fileBacked: Bool) async throws {
        try await withEngine(fileBacked: fileBacked) { engine in
            try await fill(engine)
            let key: Item = ["PK": .string("race-1"), "SK": .string("racer-7")]
            let decoded = try await engine.readItem(GetItemRequest(tableName: "Races", key: key))
            let stored = try await engine.readItem(GetItemRequest(tableName: "Races", key: key, returnsStoredItem: true))
            #expect(stored.item == nil)
            #expect(try stored.storedItem?.decoded() == decoded.item.map { [$0] })
            #expect(stored.consumedCapacity == decoded.consumedCapacity)
            let missing = try await engine.readItem(
                GetItemRequest(tableName: "Races", key: ["PK": .string("race-1"), "SK": .string("none")], returnsStoredItem: true))
            #expect(missing.item == nil && missing.storedItem == nil)
        }
    }

    /// Paginates with and without stored items and expects the same pages.
    private func comparePages(
        limit: Int?, index: String?, _ read: (ReadOptions) async throws -> ReadPage
    ) async throws {
        var start: Item?
        var pages = 0
        repeat {
            let decoded = try await read(ReadOptions(indexName: index, limit: limit, exclusiveStartKey: start))
            let stored = try await read(ReadOptions(indexName: index, limit: limit, exclusiveStartKey: start, returnsStoredItems: true))
            #expect(stored.items.isEmpty)
            #expect(try stored.storedItems.decoded() == decoded.items)
            #expect(stored.count == decoded.count && stored.scannedCount == decoded.scannedCount)
            #expect(stored.bytesRead == decoded.bytesRead)
            #expect(stored.lastEvaluatedKey == decoded.lastEvaluatedKey)
            start = decoded.lastEvaluatedKey
            pages += 1
        } while start != nil && pages < 400
        #expect(start == nil)
    }

    private func fill(_ engine: KVEngine) async throws {
        try await QueryScanTests.createRacesTable(engine)
        var generator = SeededGenerator(seed: 0x9A6E_0001)
        for race in 1...2 {
            for racer in 0..<250 {
                var item = RandomItems.item(using: &generator)
                item["PK"] = .string("race-\(race)")
                item["SK"] = .string("racer-\(racer)")
                item["GSI"] = .number(Number(racer % 83))
                _ = try await engine.putItem(PutItemRequest(tableName: "Races", item: item))
            }
        }
    }

    private func withEngine(fileBacked: Bool, _ body: (KVEngine) async throws -> Void) async throws {
        guard fileBacked else {
            let engine = try await EngineTests.engine()
            defer { engine.shutdown() }
            try await body(engine)
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try await EngineTests.engine(directory: directory)
        defer { engine.shutdown() }
        try await body(engine)
    }
}
