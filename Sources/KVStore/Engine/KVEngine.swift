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
    /// On-demand backups (`Backups/`).
    let backups: BackupStore
    /// Where exports are written and imports read (`--export-dir`), and their records.
    let exportsDirectory: String
    let exports: TransferStore<ExportRecord>
    let imports: TransferStore<ImportRecord>
    /// Backups, restores, exports and imports finishing after their answer (`Backups/`).
    let jobs = BackgroundJobs()
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
        let space = configuration.dataDirectory.map {
            StorageSpace(directory: $0, reserveBytes: configuration.storage.reserveBytes, logger: logger)
        }
        space?.prepare()
        database = try Database(
            location: location, synchronous: synchronous, storage: configuration.storage, space: space,
            onGroupCommit: configuration.observers.groupCommitted)
        do {
            backups = try BackupStore(directory: Self.backupDirectory(configuration, database: database))
            exportsDirectory = Self.exportDirectory(configuration, database: database)
            exports = TransferStore(directory: exportsDirectory + "/.kvexports", id: \.id)
            imports = TransferStore(directory: exportsDirectory + "/.kvimports", id: \.id)
            // Runs on a full disk too (a no-op on an up-to-date file), so the server can restart there.
            try await database.exclusive(.freesSpace) { connection in try connection.migrateStorage() }
            let definitions = try await database.read { connection in try connection.loadTableDefinitions() }
            catalog.replaceAll(with: definitions)
        } catch {
            database.close()
            throw error
        }
        resumeBackfills()
        await recoverInterruptedJobs()
    }

    /// Waits for the background work of backups, restores, exports and imports to end.
    public func waitForBackgroundJobs() async {
        await jobs.drain()
    }

    /// True while the data directory's disk is full and writes that need space are refused
    /// (see `StorageSpace`); reads and deletes still work. Always false in memory.
    public var isStorageFull: Bool { database.space?.isFull ?? false }

    /// Finishes pending writes and closes the database.
    public func shutdown() {
        database.close()
    }

    /// The table an item operation names, or DynamoDB's ResourceNotFoundException (also while
    /// the table is CREATING, being restored or imported, as DynamoDB answers then).
    func existingTable(_ name: String) throws(KVError) -> TableDefinition {
        guard let table = catalog.table(named: name), !table.isLoadingItems else {
            throw .resourceNotFound("Requested resource not found")
        }
        return table
    }

    /// A write that failed in the database (or found the disk full) committed nothing, while its
    /// body may already have changed the cached catalog: the caller reloads it.
    static func isStorageFailure(_ error: any Error) -> Bool {
        error is SQLiteError || (error as? KVError)?.code == .serviceUnavailable
    }

    /// Re-reads the catalog after a failed commit may have left the cached copy ahead of the disk.
    func reloadCatalog() async {
        if let definitions = try? await database.read({ connection in try connection.loadTableDefinitions() }) {
            catalog.replaceAll(with: definitions)
        }
    }
}
