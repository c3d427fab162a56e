import Logging
import Testing

@testable import KVStore

/// The item storage port (`ItemStorage`) on its SQLite adapter (`ItemStore`): range reads in
/// key order both ways, resuming after a key, and point reads.
@Suite struct ItemStorageTests {
    @Test(arguments: TestStorage.allCases) func rangeReadsWalkBothWaysFromAStartKey(storage: TestStorage) async throws {
        let engine = try await EngineTests.engine(storage: storage)
        defer { engine.shutdown() }
        try await EngineTests.createHashTable(engine)
        for index in 0..<7 {
            _ = try await engine.putItem(PutItemRequest(tableName: "Stocks", item: ["id": .string("k\(index)")]))
        }
        let table = try #require(engine.catalog.table(named: "Stocks"))
        let walks = try await engine.storage.write { connection in
            let store = try connection.items(table)
            func walk(_ order: KeyOrder) throws -> (keys: [StorageKey], ids: [String]) {
                var keys: [StorageKey] = []
                var ids: [String] = []
                var position: StorageKey?
                repeat {
                    position = try store.forEachItem(after: position, order: order, limit: 3) { key, item in
                        keys.append(key)
                        if case .string(let id) = item["id"] { ids.append(id) }
                    }
                } while position != nil
                return (keys, ids)
            }
            let ascending = try walk(.ascending)
            let descending = try walk(.descending)
            let first = try #require(ascending.keys.first)
            let entry = try store.fetchEntry(first)
            return (ascending, descending, entry?.size, try store.storedSize(first))
        }
        #expect(walks.0.ids.count == 7)
        #expect(Set(walks.0.ids).count == 7)
        #expect(walks.1.ids == walks.0.ids.reversed())
        // Storage order: by partition hash, then key bytes.
        #expect(walks.0.keys.map(\.hash) == walks.0.keys.map(\.hash).sorted())
        #expect(walks.2 != nil && walks.2 == walks.3)
    }
}
