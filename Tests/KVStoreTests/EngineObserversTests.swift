import Logging
import Synchronization
import Testing

@testable import KVStore

/// The engine's hooks for the server's metrics (`EngineObservers`).
@Suite struct EngineObserversTests {
    final class Recorded: Sendable {
        let commits = Mutex<[Int]>([])
        let deletions = Mutex<[String: Int]>([:])
    }

    static func engine(_ recorded: Recorded, clock: @escaping @Sendable () -> Double = WallClock.now) async throws -> KVEngine {
        var configuration = EngineConfiguration(dataDirectory: nil)
        configuration.observers = EngineObservers(
            groupCommitted: { writes, seconds in
                #expect(seconds >= 0)
                recorded.commits.withLock { $0.append(writes) }
            },
            timeToLiveDeleted: { table, count in recorded.deletions.withLock { $0[table, default: 0] += count } })
        return try await KVEngine(configuration: configuration, logger: Logger(label: "test"), clock: clock)
    }

    @Test func groupCommitsAreReportedWithTheirWrites() async throws {
        let recorded = Recorded()
        let engine = try await Self.engine(recorded)
        defer { engine.shutdown() }
        try await ConsumedCapacityTests.createTable(engine, withIndex: false)
        let before = recorded.commits.withLock { $0.reduce(0, +) }
        for index in 0..<5 {
            _ = try await engine.putItem(PutItemRequest(tableName: "Scores", item: ["id": .string("k\(index)")]))
        }
        let after = recorded.commits.withLock { $0.reduce(0, +) }
        #expect(after - before == 5)
    }

    @Test func timeToLiveDeletionsAreCountedPerTable() async throws {
        let recorded = Recorded()
        let engine = try await Self.engine(recorded)
        defer { engine.shutdown() }
        try await ConsumedCapacityTests.createTable(engine, withIndex: false)
        _ = try await engine.updateTimeToLive(tableName: "Scores", enabled: true, attributeName: "exp")
        let past = Number(Int(WallClock.now()) - 60)
        for index in 0..<3 {
            _ = try await engine.putItem(
                PutItemRequest(tableName: "Scores", item: ["id": .string("old\(index)"), "exp": .number(past)]))
        }
        _ = try await engine.putItem(
            PutItemRequest(tableName: "Scores", item: ["id": .string("new"), "exp": .number(Number(Int(WallClock.now()) + 3600))]))
        try await engine.maintenancePass()
        try await engine.maintenancePass()
        #expect(recorded.deletions.withLock { $0 } == ["Scores": 3])
    }
}
