import KVStore
import Logging
import Synchronization

/// An in-memory engine with one table (`pk` string hash key) holding `SampleItem`-shaped items
/// under `keyCount` keys, built in a benchmark's setup hook and shut down in its teardown.
final class EngineFixture: Sendable {
    static let tableName = "bench"
    static let keyCount = 1_000

    /// The items under every key, so that a measured PutItem builds nothing.
    let items: [Item] = (0..<EngineFixture.keyCount).map { SampleItem.item(key: EngineFixture.key($0)) }
    /// GetItem `Key` parameters for the same keys.
    let keys: [Item] = (0..<EngineFixture.keyCount).map { ["pk": .string(EngineFixture.key($0))] }

    private let engine = Mutex<KVEngine?>(nil)
    private let cursor = Cursor(cycle: EngineFixture.keyCount)

    static func key(_ index: Int) -> String { "user#" + String(index) }

    /// Creates the engine and the table, then writes every item once, so that PutItem replaces
    /// a row and GetItem finds one.
    func start() async throws {
        var logger = Logger(label: "micro")
        logger.logLevel = .error
        let engine = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger)
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: Self.tableName,
                attributeDefinitions: [KeyAttribute(name: "pk", type: .string)],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        for item in items {
            _ = try await engine.putItem(PutItemRequest(tableName: Self.tableName, item: item))
        }
        self.engine.withLock { $0 = engine }
    }

    func stop() {
        let engine = self.engine.withLock { engine in
            defer { engine = nil }
            return engine
        }
        engine?.shutdown()
    }

    /// The running engine; throws when setup did not run, instead of trapping.
    func running() throws -> KVEngine {
        guard let engine = engine.withLock({ $0 }) else { throw FixtureError.notStarted }
        return engine
    }

    /// The next position in the key cycle.
    func nextIndex() -> Int { cursor.next() }
}

enum FixtureError: Error {
    case notStarted
    /// A GetItem of a key written in setup found nothing: the benchmark would measure a miss.
    case missingItem
}
