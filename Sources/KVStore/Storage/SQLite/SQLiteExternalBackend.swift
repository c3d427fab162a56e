/// The SQLite adapter seen through the external-backend protocols (`Storage/External/`): the
/// proof that a backend from another module can run the engine. Tests run the engine's suites
/// through it (`KVEngine(configuration:logger:backend:)`); kvserver never uses it, as SQLite's
/// own path (`EngineStorage.sqlite`) is the monomorphic one.
final class SQLiteExternalBackend: ExternalStorageBackend {
    let database: Database

    init(database: Database) {
        self.database = database
    }

    var name: String { "SQLite (external)" }

    func read<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T {
        try await database.read { connection in try body(connection) }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T {
        try await database.write(.grows) { connection in try body(connection) }
    }

    func exclusive<T: Sendable>(_ body: @escaping @Sendable (any ExternalStorageTransaction) throws -> T) async throws -> T {
        try await database.exclusive(.freesSpace) { connection in try body(connection) }
    }

    func isStorageFailure(_ error: any Error) -> Bool {
        error is SQLiteError
    }

    func shutdown() {
        database.close()
    }
}

/// A SQLite transaction handle is already every port protocol; it adds the item storage.
extension Connection: ExternalStorageTransaction {
    func items(of table: TableDefinition, context: ItemWriteContext) throws -> any ExternalItemStorage {
        ItemStore(
            table: table, connection: self, now: context.now, shardRollover: context.shardRollover,
            origin: context.origin, itemCollectionLimit: context.itemCollectionLimit)
    }
}

extension ItemStore: ExternalItemStorage {}
