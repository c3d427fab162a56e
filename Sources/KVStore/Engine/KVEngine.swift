public import Logging

/// The public port of the engine: DynamoDB semantics over SQLite, no networking.
///
/// Operations live in `Engine/<Operation>.swift`, one per file. Item writes go through the
/// database's single writer (group commit); reads run on reader connections.
public final class KVEngine: Sendable {
    public let configuration: EngineConfiguration
    let logger: Logger
    let database: Database
    let catalog = Catalog()
    /// The NextTokens of paginated PartiQL SELECTs.
    let statementTokens = StatementTokens()
    /// Seconds since 1970; injected so that tests can control time.
    let now: @Sendable () -> Double

    public init(
        configuration: EngineConfiguration,
        logger: Logger,
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.now = clock
        let location: Database.Location
        if let directory = configuration.dataDirectory {
            location = .file(path: directory.hasSuffix("/") ? directory + "kvstore.sqlite" : directory + "/kvstore.sqlite")
        } else {
            location = .inMemory
        }
        let synchronous: Database.Synchronous = configuration.durability == .full ? .full : .normal
        database = try Database(location: location, synchronous: synchronous)
        do {
            try await database.exclusive { connection in try Schema.migrate(connection) }
            let definitions = try await database.read { connection in try Schema.loadDefinitions(connection) }
            catalog.replaceAll(with: definitions)
        } catch {
            database.close()
            throw error
        }
        resumeBackfills()
    }

    /// Finishes pending writes and closes the database.
    public func shutdown() {
        database.close()
    }

    /// The table an item operation names, or DynamoDB's ResourceNotFoundException.
    func existingTable(_ name: String) throws(KVError) -> TableDefinition {
        guard let table = catalog.table(named: name) else {
            throw .resourceNotFound("Requested resource not found")
        }
        return table
    }

    /// Re-reads the catalog after a failed commit may have left the cached copy ahead of the disk.
    func reloadCatalog() async {
        if let definitions = try? await database.read({ connection in try Schema.loadDefinitions(connection) }) {
            catalog.replaceAll(with: definitions)
        }
    }
}
