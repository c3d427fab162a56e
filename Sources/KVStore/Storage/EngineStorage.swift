/// The backend seam: the database `KVEngine` runs on. SQLite (`.sqlite`) is the default and
/// stays monomorphic: its case holds the adapter's concrete `Database`, its bodies receive the
/// concrete `Connection` and `ItemStore`, and the only cost over calling them directly is a
/// predictable two-way switch. A backend from another module (`.external`, see
/// `Storage/External/`) goes through existentials.
enum EngineStorage: Sendable {
    case sqlite(Database)
    case external(any ExternalStorageBackend)

    /// Runs `body` in a read transaction (see `Database.read`).
    func read<T: Sendable>(_ body: @escaping @Sendable (StorageTransaction) throws -> T) async throws -> T {
        try await read(.strong, body)
    }

    /// Runs `body` in a read transaction of `consistency`: `.eventual` lets an external backend
    /// serve it from a replica (`ExternalStorageBackend.read(_:_:)`); SQLite's one database is
    /// always current.
    func read<T: Sendable>(
        _ consistency: ReadConsistency, _ body: @escaping @Sendable (StorageTransaction) throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let database): try await database.readStorage(body)
        case .external(let backend): try await backend.read(consistency) { transaction in try body(.external(transaction)) }
        }
    }

    /// Runs `body` in a write transaction, returning after it committed (see `Database.write`).
    func write<T: Sendable>(
        _ intent: Database.WriteIntent = .grows, _ body: @escaping @Sendable (StorageTransaction) throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let database): try await database.writeStorage(intent, body)
        case .external(let backend): try await backend.write { transaction in try body(.external(transaction)) }
        }
    }

    /// Runs `body` alone, outside the write groups (see `Database.exclusive`).
    func exclusive<T: Sendable>(
        _ intent: Database.WriteIntent = .grows, _ body: @escaping @Sendable (StorageTransaction) throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let database): try await database.exclusiveStorage(intent, body)
        case .external(let backend): try await backend.exclusive { transaction in try body(.external(transaction)) }
        }
    }

    /// A read of one item (SQLite: one statement on the calling thread's own connection).
    func pointRead<T: Sendable>(
        _ consistency: ReadConsistency, _ body: @escaping @Sendable (StorageTransaction) throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let database): try database.inlineReaders.read { connection in try body(.sqlite(connection)) }
        case .external(let backend): try await backend.read(consistency) { transaction in try body(.external(transaction)) }
        }
    }

    /// The SQLite database, nil on another backend.
    var sqliteDatabase: Database? {
        if case .sqlite(let database) = self { return database }
        return nil
    }

    /// SQLite `--in-memory`: a database in a private directory this process has just created,
    /// empty when the engine opens it (see `KVEngine.open`).
    var isNewInMemoryDatabase: Bool {
        guard case .inMemory = sqliteDatabase?.location else { return false }
        return true
    }

    /// Whether a failed write failed in the database itself (see `KVEngine.isStorageFailure`).
    func isStorageFailure(_ error: any Error) -> Bool {
        switch self {
        case .sqlite: error is SQLiteError
        case .external(let backend): backend.isStorageFailure(error) || error is any ExternalStorageFailure
        }
    }

    func shutdown() {
        switch self {
        case .sqlite(let database): database.close()
        case .external(let backend): backend.shutdown()
        }
    }
}
