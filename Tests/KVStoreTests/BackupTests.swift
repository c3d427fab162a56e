#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization
import Testing

@testable import KVStore

/// On-demand backups and point-in-time recovery in the engine, with an injected clock.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
@Suite struct BackupTests {
    final class TestClock: Sendable {
        let seconds = Mutex<Double>(1_800_000_000)
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
        var now: Double { seconds.withLock { $0 } }
    }

    static func engine(_ clock: TestClock) async throws -> KVEngine {
        try await KVEngine(
            configuration: EngineConfiguration(dataDirectory: nil), logger: Logger(label: "test"), clock: { clock.now })
    }

    static func createTable(_ engine: KVEngine, _ name: String) async throws {
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: name, attributeDefinitions: [KeyAttribute(name: "id", type: .string)],
                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)], billingMode: .payPerRequest,
                provisionedThroughput: nil, deletionProtection: false))
    }

    static func put(_ engine: KVEngine, _ table: String, _ id: String, _ value: String) async throws {
        _ = try await engine.putItem(PutItemRequest(tableName: table, item: ["id": .string(id), "v": .string(value)]))
    }

    static func contents(_ engine: KVEngine, _ table: String) async throws -> [String: String] {
        let page = try await engine.scan(ScanRequest(tableName: table))
        var result: [String: String] = [:]
        for item in page.items {
            if case .string(let id)? = item["id"], case .string(let value)? = item["v"] { result[id] = value }
        }
        return result
    }

    @Test func restoreToEachSecondGivesTheTableOfThatSecond() async throws {
        let clock = TestClock()
        let engine = try await Self.engine(clock)
        defer { engine.shutdown() }
        try await Self.createTable(engine, "src")
        try await Self.put(engine, "src", "before", "0")
        _ = try await engine.updateContinuousBackups(tableName: "src", enabled: true, recoveryPeriodInDays: nil)
        let enabled = clock.now
        clock.advance(10)
        try await Self.put(engine, "src", "a", "1")
        clock.advance(10)
        let afterA = clock.now
        clock.advance(1)
        try await Self.put(engine, "src", "a", "2")
        _ = try await engine.deleteItem(DeleteItemRequest(tableName: "src", key: ["id": .string("before")]))
        clock.advance(10)
        // A write at exactly the restore time belongs to it.
        _ = try await engine.restoreTableToPointInTime(
            sourceTableName: "src", targetTableName: "at-enable", time: enabled, overrides: RestoreOverrides())
        _ = try await engine.restoreTableToPointInTime(
            sourceTableName: "src", targetTableName: "after-a", time: afterA, overrides: RestoreOverrides())
        _ = try await engine.restoreTableToPointInTime(
            sourceTableName: "src", targetTableName: "latest", time: nil, overrides: RestoreOverrides())
        await engine.waitForBackgroundJobs()
        #expect(try await Self.contents(engine, "at-enable") == ["before": "0"])
        #expect(try await Self.contents(engine, "after-a") == ["before": "0", "a": "1"])
        #expect(try await Self.contents(engine, "latest") == ["a": "2"])
        await #expect(throws: KVError(.invalidRestoreTime, "Invalid restore time: the restore time must be between EarliestRestorableDateTime and LatestRestorableDateTime")) {
            _ = try await engine.restoreTableToPointInTime(
                sourceTableName: "src", targetTableName: "too-early", time: enabled - 5, overrides: RestoreOverrides())
        }
    }

    @Test func changeLogIsTrimmedPastTheRecoveryPeriod() async throws {
        let clock = TestClock()
        let engine = try await Self.engine(clock)
        defer { engine.shutdown() }
        try await Self.createTable(engine, "src")
        let state = try await engine.updateContinuousBackups(tableName: "src", enabled: true, recoveryPeriodInDays: 1)
        #expect(state.pointInTimeRecovery?.recoveryPeriodInDays == 1)
        try await Self.put(engine, "src", "a", "1")
        clock.advance(2 * 86_400)
        try await Self.put(engine, "src", "b", "1")
        try await engine.trimChangeLogs()
        let table = try #require(engine.catalog.table(named: "src"))
        let rows = try await #require(engine.storage.sqliteDatabase).read { connection in
            let statement = try connection.statement("SELECT COUNT(*) FROM \(table.sqlChangeLogTableName)")
            defer { statement.reset() }
            _ = try statement.step()
            return statement.int64(0)
        }
        #expect(rows == 1)
        let described = try engine.describeContinuousBackups(tableName: "src")
        #expect(described.earliestRestorable == clock.now - 86_400)
    }

    /// "BackupInUseException: There is another ongoing conflicting backup control plane
    /// operation on the table. The backup is either being created, deleted or restored to a table."
    @Test func aBackupBeingCreatedCannotBeDeletedOrRestored() async throws {
        let clock = TestClock()
        let engine = try await Self.engine(clock)
        defer { engine.shutdown() }
        try await Self.createTable(engine, "src")
        let table = try #require(engine.catalog.table(named: "src"))
        engine.backups.register(
            BackupRecord(
                id: "0000000000001-aaaaaaaa", name: "busy", status: .creating, kind: .user, creationDate: clock.now,
                sizeBytes: 0, itemCount: 0, table: table))
        await #expect(throws: KVError(.backupInUse, "Backup is being created: arn")) {
            _ = try await engine.deleteBackup(id: "0000000000001-aaaaaaaa", reference: "arn")
        }
        await #expect(throws: KVError(.backupInUse, "Backup is being created: arn")) {
            _ = try await engine.restoreTableFromBackup(
                id: "0000000000001-aaaaaaaa", reference: "arn", targetTableName: "copy", overrides: RestoreOverrides())
        }
        #expect(try await engine.describeBackup(id: "0000000000001-aaaaaaaa", reference: "arn").status == .creating)
    }

    @Test func backupIsASnapshotAndRestoresIntoANewTable() async throws {
        let clock = TestClock()
        let engine = try await Self.engine(clock)
        defer { engine.shutdown() }
        try await Self.createTable(engine, "src")
        try await Self.put(engine, "src", "a", "1")
        let creating = try await engine.createBackup(tableName: "src", backupName: "b1")
        #expect(creating.status == .creating)
        // A write after CreateBackup answered is not in the backup, even if the copy is not done.
        try await Self.put(engine, "src", "b", "1")
        await engine.waitForBackgroundJobs()
        let backup = try await engine.describeBackup(id: creating.id, reference: "arn")
        #expect(backup.status == .available && backup.itemCount == 1)
        let restoring = try await engine.restoreTableFromBackup(
            id: backup.id, reference: "arn", targetTableName: "copy", overrides: RestoreOverrides())
        #expect(restoring.status == .creating && restoring.definition.restoreSummary?.inProgress == true)
        await engine.waitForBackgroundJobs()
        #expect(try await engine.describeTable("copy").status == .active)
        #expect(try await Self.contents(engine, "copy") == ["a": "1"])
        #expect(try await engine.listBackups(BackupListQuery(tableName: "src")).backups.map(\.id) == [backup.id])
        _ = try await engine.deleteBackup(id: backup.id, reference: "arn")
        await #expect(throws: KVError(.backupNotFound, "Backup not found: arn")) {
            _ = try await engine.describeBackup(id: backup.id, reference: "arn")
        }
    }

    /// A server stopped while a restore or an export ran: at start the half-restored table is
    /// dropped and the export is FAILED (with a FailureCode), never left in progress.
    @Test func interruptedJobsAreSettledAtStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kvjobs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = TestClock()
        let configuration = EngineConfiguration(dataDirectory: directory)
        let first = try await KVEngine(configuration: configuration, logger: Logger(label: "test"), clock: { clock.now })
        try await Self.createTable(first, "src")
        let source = try #require(first.catalog.table(named: "src"))
        // What a stop in the middle leaves: a table still restoring, an export IN_PROGRESS.
        _ = try await first.createRestoredTable(
            named: "half", from: source, overrides: RestoreOverrides(),
            summary: RestoreSummary(sourceBackupID: nil, sourceTableName: "src", restoreDate: clock.now, inProgress: true))
        let export = ExportRecord(
            id: "0000000000001-bbbbbbbb", tableName: "src", tableID: source.tableID, status: .inProgress, kind: .full,
            format: "ION", bucket: "b", prefix: nil, startTime: clock.now, endTime: nil, exportTime: clock.now,
            clientToken: nil, itemCount: 0, billedSizeBytes: 0, manifestKey: nil, incremental: nil)
        first.exports.save(export, id: export.id)
        #expect(try await first.describeTable("half").status == .creating)
        first.shutdown()

        let second = try await KVEngine(configuration: configuration, logger: Logger(label: "test"), clock: { clock.now })
        defer { second.shutdown() }
        #expect(second.catalog.table(named: "half") == nil)
        #expect(second.catalog.table(named: "src") != nil)
        let settled = try second.describeExport(id: export.id, reference: "arn")
        #expect(settled.status == .failed && settled.failureCode == "ExportFailed" && settled.endTime != nil)
    }
}
