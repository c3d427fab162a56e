public import KVStore
public import Logging

/// A database kvserver can keep its data in instead of SQLite, chosen with `--storage URL`.
/// The executable decides which exists: `kvserver` has none, `kvserver-postgres` opens
/// PostgreSQL (`KVStorePostgres`), so that SQLite users never link a database driver they do
/// not use (Package.swift, `KVServerMain`).
public protocol ExternalStorageOpener: Sendable {
    /// Checks `url` and `replica` (`--storage-replica`, a read replica for eventually consistent
    /// reads; nil: none) before anything starts; throws a `ValidationError` saying what is wrong.
    func check(_ url: String, replica: String?, environment: [String: String]) throws

    /// Connects (a wrong password, host or server fails here, the replica's too), creates or
    /// migrates the schema, and returns the backend the engine runs on.
    func open(_ url: String, replica: String?, environment: [String: String], logger: Logger) async throws
        -> OpenedExternalStorage
}

/// An opened external database: the engine's backend and how to close it at shutdown.
public struct OpenedExternalStorage: Sendable {
    public let backend: any ExternalStorageBackend
    public let close: @Sendable () async -> Void

    public init(backend: any ExternalStorageBackend, close: @escaping @Sendable () async -> Void) {
        self.backend = backend
        self.close = close
    }
}
