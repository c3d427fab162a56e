public import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The public port of the engine: DynamoDB semantics over SQLite (or a backend from another
/// module, `Storage/External/`), no networking.
///
/// Operations live in `Engine/<Operation>.swift`, one per file. Item writes go through the
/// database's single writer (group commit); reads run on reader connections.
public final class KVEngine: Sendable {
    public let configuration: EngineConfiguration
    let logger: Logger
    /// The database: SQLite by default, or an external backend (see `EngineStorage`).
    let storage: EngineStorage
    let catalog = Catalog()
    /// The NextTokens of paginated PartiQL SELECTs.
    let statementTokens = StatementTokens()
    /// On-demand backups (`Backups/`): SQLite's files, or on an external backend the ones
    /// this process is creating (the others are in its database, `SharedBackups`).
    let backups: BackupStore
    /// Where exports are written and imports read (`--export-dir`), and their records.
    let exportsDirectory: String
    let exports: TransferStore<ExportRecord>
    let imports: TransferStore<ImportRecord>
    /// Backups, restores, exports and imports finishing after their answer (`Backups/`).
    let jobs = BackgroundJobs()
    /// Whether this process runs the shared database's backfills now (`startSharedBackfills`).
    let sharedBackfills = ExclusiveRun()
    /// Seconds since 1970; injected so that tests can control time.
    let now: @Sendable () -> Double

    public convenience init(
        configuration: EngineConfiguration,
        logger: Logger,
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) async throws {
        let database = try Self.openDatabase(configuration, logger: logger)
        try await self.init(
            configuration: configuration, logger: logger, storage: .sqlite(database),
            stateDirectory: database.memoryDirectoryPath, clock: clock)
    }

    /// An engine over a storage backend from another module (see `ExternalStorageBackend`).
    /// `configuration.dataDirectory` and the SQLite settings do not apply; the backend is
    /// shut down with the engine.
    public convenience init(
        configuration: EngineConfiguration,
        logger: Logger,
        backend: any ExternalStorageBackend,
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) async throws {
        // Backups are in the backend's database; exports and imports are files, and the
        // backup store takes temporary files (a point-in-time restore's snapshot): in the
        // configured directories, else in a private temporary one.
        let scratch = FileManager.default.temporaryDirectory.path + "/kvstore-" + UUID().uuidString.lowercased()
        try await self.init(
            configuration: configuration, logger: logger, storage: .external(backend), stateDirectory: scratch,
            clock: clock)
    }

    /// Both engines: `storage` opened, the backup, export and import stores under
    /// `stateDirectory` unless configured elsewhere; `storage` is shut down if anything fails.
    private init(
        configuration: EngineConfiguration, logger: Logger, storage: EngineStorage, stateDirectory: String?,
        clock: @escaping @Sendable () -> Double
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.now = clock
        self.storage = storage
        do {
            backups = try BackupStore(
                directory: Self.backupDirectory(configuration, memoryDirectory: stateDirectory),
                files: storage.sqliteDatabase != nil)
            exportsDirectory = Self.exportDirectory(configuration, memoryDirectory: stateDirectory)
            exports = TransferStore(directory: exportsDirectory + "/.kvexports", id: \.id)
            imports = TransferStore(directory: exportsDirectory + "/.kvimports", id: \.id)
        } catch {
            storage.shutdown()
            throw error
        }
        try await open()
    }

    /// Debugging and tests: the SQLite database of `configuration`, but run through the
    /// external-backend seam (`SQLiteExternalBackend`), as a backend from another module would
    /// be. kvserver's `KVSERVER_DEBUG_STORAGE=sqlite-external`; not for production (the SQLite
    /// path proper is faster, and on-demand backups refuse here).
    public static func overExternalSQLite(
        configuration: EngineConfiguration,
        logger: Logger,
        clock: @escaping @Sendable () -> Double = WallClock.now
    ) async throws -> KVEngine {
        let database = try openDatabase(configuration, logger: logger)
        return try await KVEngine(
            configuration: configuration, logger: logger, backend: SQLiteExternalBackend(database: database), clock: clock)
    }

    /// The SQLite database `configuration` asks for (a file in the data directory, or in memory).
    private static func openDatabase(_ configuration: EngineConfiguration, logger: Logger) throws -> Database {
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
        return try Database(
            location: location, synchronous: synchronous, storage: configuration.storage, space: space,
            onGroupCommit: configuration.observers.groupCommitted)
    }

    /// Migrates the storage, loads the catalog and resumes interrupted work.
    private func open() async throws {
        do {
            // Runs on a full disk too (a no-op on an up-to-date file), so the server can restart there.
            try await storage.exclusive(.freesSpace) { connection in try connection.migrateStorage() }
            // `--in-memory`: the database was created empty a moment ago, so there is no table to
            // load (a read on a reader connection: about 300,000 instructions of the start-up).
            if !storage.isNewInMemoryDatabase {
                let definitions = try await storage.read { connection in try connection.loadTableDefinitions() }
                catalog.replaceAll(with: definitions)
            }
        } catch {
            storage.shutdown()
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
    public var isStorageFull: Bool { storage.sqliteDatabase?.space?.isFull ?? false }

    /// Finishes pending writes and closes the database.
    public func shutdown() {
        storage.shutdown()
    }

    /// Whether GetItem can be answered on the calling thread (`readItemNow`): SQLite only.
    public var readsInline: Bool { storage.sqliteDatabase != nil }

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
    func isStorageFailure(_ error: any Error) -> Bool {
        storage.isStorageFailure(error) || (error as? KVError)?.code == .serviceUnavailable
    }

    /// Re-reads the catalog after a failed commit may have left the cached copy ahead of the disk.
    func reloadCatalog() async {
        if let definitions = try? await storage.read({ connection in try connection.loadTableDefinitions() }) {
            catalog.replaceAll(with: definitions)
        }
    }
}
