import KVStore
import KVStorePostgres
import Synchronization
import Testing

/// On-demand backups and point-in-time recovery on PostgreSQL through the engine, with two
/// engines (two kvservers) over one database: what one makes, the other lists, restores and
/// deletes (`ExternalBackupStorage`, `kv_backups`), and the change log one writes, the other
/// restores from (`kv_change_log`).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BackupRestore.html and
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html
@Suite struct PostgresBackupTests {
    /// A clock both engines share, moved by the test.
    final class Clock: Sendable {
        let seconds = Mutex<Double>(1_700_000_000)
        func now() -> Double { seconds.withLock { $0 } }
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    static func put(_ engine: KVEngine, _ table: String, _ id: String, _ value: String) async throws {
        _ = try await engine.putItem(PutItemRequest(tableName: table, item: ["id": .string(id), "v": .string(value)]))
    }

    static func contents(_ engine: KVEngine, _ table: String) async throws -> [String: String] {
        var result: [String: String] = [:]
        var start: Item?
        repeat {
            var options = ReadOptions()
            options.exclusiveStartKey = start
            let page = try await engine.scan(ScanRequest(tableName: table, options: options))
            let items = page.storedItems.isEmpty ? page.items : try page.storedItems.decoded()
            for item in items {
                if case .string(let id)? = item["id"], case .string(let value)? = item["v"] { result[id] = value }
            }
            start = page.lastEvaluatedKey
        } while start != nil
        return result
    }

    static func waitActive(_ engine: KVEngine, _ table: String) async throws {
        for _ in 0..<600 {
            if try await engine.describeTable(table).status == .active { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(table) never turned ACTIVE")
    }

    @Test func backupMadeOnOneNodeIsRestoredAndDeletedOnAnother() async throws {
        let clock = Clock()
        try await TestPostgres.withTwoEngines(clock: clock.now) { a, b in
            try await PostgresExternalBackendTests.createTable(a, "src")
            // b learns of a's table as kvserver does after a miss (`retryingAfterCatalogMiss`).
            await b.refreshCatalog()
            // More than one copy batch (`PostgresExternalTransaction.copyBatch`).
            for i in 0..<2_100 { try await Self.put(a, "src", "k\(i)", "v\(i)") }
            let expected = try await Self.contents(a, "src")
            let creating = try await a.createBackup(tableName: "src", backupName: "nightly")
            #expect(creating.status == .creating)
            // Written after CreateBackup answered: not in the backup.
            try await Self.put(b, "src", "late", "x")
            await a.waitForBackgroundJobs()
            let stored = try await b.describeBackup(id: creating.id, reference: "arn")
            #expect(stored.status == .available && stored.itemCount == 2_100 && stored.name == "nightly")
            #expect(try await b.listBackups(BackupListQuery(tableName: "src")).backups.map(\.id) == [creating.id])
            _ = try await b.restoreTableFromBackup(id: creating.id, reference: "arn", targetTableName: "copy", overrides: RestoreOverrides())
            await b.waitForBackgroundJobs()
            await a.refreshCatalog()
            try await Self.waitActive(a, "copy")
            #expect(try await Self.contents(a, "copy") == expected)
            #expect(try await a.deleteBackup(id: creating.id, reference: "arn").status == .deleted)
            await #expect(throws: KVError(.backupNotFound, "Backup not found: arn")) {
                _ = try await b.describeBackup(id: creating.id, reference: "arn")
            }
            #expect(try await b.listBackups(BackupListQuery()).backups.isEmpty)
        }
    }

    @Test func pointInTimeRestoreOfChangesMadeThroughBothNodes() async throws {
        let clock = Clock()
        try await TestPostgres.withTwoEngines(clock: clock.now) { a, b in
            try await PostgresExternalBackendTests.createTable(a, "src")
            // b learns of a's table as kvserver does after a miss (`retryingAfterCatalogMiss`).
            await b.refreshCatalog()
            try await Self.put(a, "src", "kept", "0")
            _ = try await a.updateContinuousBackups(tableName: "src", enabled: true, recoveryPeriodInDays: nil)
            clock.advance(1)
            try await Self.put(b, "src", "added", "1")
            try await Self.put(a, "src", "kept", "1")
            clock.advance(1)
            let moment = clock.now()
            clock.advance(1)
            try await Self.put(b, "src", "kept", "2")
            _ = try await a.deleteItem(DeleteItemRequest(tableName: "src", key: ["id": .string("added")]))
            try await Self.put(a, "src", "later", "3")
            clock.advance(1)
            await b.refreshCatalog()
            _ = try await b.restoreTableToPointInTime(
                sourceTableName: "src", targetTableName: "then", time: moment, overrides: RestoreOverrides())
            await b.waitForBackgroundJobs()
            await a.refreshCatalog()
            try await Self.waitActive(a, "then")
            #expect(try await Self.contents(a, "then") == ["kept": "1", "added": "1"])
            _ = try await a.restoreTableToPointInTime(
                sourceTableName: "src", targetTableName: "now", time: nil, overrides: RestoreOverrides())
            await a.waitForBackgroundJobs()
            await b.refreshCatalog()
            #expect(try await Self.contents(b, "now") == ["kept": "2", "later": "3"])
        }
    }
}
