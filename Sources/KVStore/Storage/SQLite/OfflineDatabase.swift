/// A failure of an offline tool on a database file, with a message for the operator (never
/// item data).
public struct OfflineDatabaseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A kvserver database file opened by an offline tool (`kvctl backup`, `restore`, `check`),
/// with the server running or not: the one SQLite wrapper (`Connection`), so kvctl holds no SQL
/// and links no SQLite of its own.
///
/// Not Sendable: one tool uses it on one thread. Every error is an `OfflineDatabaseError` whose
/// message names the file.
public final class OfflineDatabase {
    public enum Mode: Sendable {
        case readOnly
        /// Read-write; the file must exist (so SQLite can recover a WAL left by a crashed server).
        case readWrite
        /// Read-write, created if missing.
        case create
    }

    /// How long a statement waits for a lock the server holds (a checkpoint, say).
    static let busyTimeoutMilliseconds: Int32 = 10_000

    public let path: String
    private let connection: Connection

    public init(path: String, mode: Mode) throws {
        self.path = path
        let connectionMode: Connection.Mode =
            switch mode {
            case .readOnly: .readOnly
            case .readWrite: .readWriteExisting
            case .create: .readWrite
            }
        do {
            connection = try Connection(path: path, mode: connectionMode)
        } catch let error as SQLiteError {
            throw OfflineDatabaseError(message: "cannot open \(path): \(error.message)")
        }
        connection.setBusyTimeout(milliseconds: Self.busyTimeoutMilliseconds)
    }

    public func close() {
        connection.close()
    }

    /// Runs `body`, turning SQLite's errors into this file's.
    private func onFile<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError {
            throw OfflineDatabaseError(message: "\(path): \(error.message)")
        }
    }

    // MARK: Copies (backup, restore)

    /// Copies this whole database into `destination` (SQLite's online backup API): a consistent
    /// snapshot of committed data even while the server writes.
    public func backup(into destination: OfflineDatabase) throws {
        do {
            try connection.backup(into: destination.connection)
        } catch let error as SQLiteError {
            throw OfflineDatabaseError(message: error.message)
        }
    }

    /// Makes the file self-contained: a rollback journal instead of WAL, so no `-wal`/`-shm`
    /// side files travel with it.
    public func useRollbackJournal() throws {
        try onFile { _ = try connection.queryText("PRAGMA journal_mode = DELETE") }
    }

    /// SQLite's quick integrity check passes.
    public func passesQuickCheck() throws -> Bool {
        try onFile { try connection.queryText("PRAGMA quick_check") == "ok" }
    }

    /// The file has kvserver's catalog (it is a kvserver database, not just any SQLite file).
    public var hasCatalog: Bool {
        (try? connection.queryText("SELECT count(*) FROM kv_tables")) != nil
    }

    // MARK: Inspection (check)

    /// Runs `body` in one read transaction, so everything it reads comes from one snapshot.
    public func inSnapshot<T>(_ body: () throws -> T) throws -> T {
        try onFile { try connection.execute("BEGIN") }
        defer { try? connection.execute("COMMIT") }
        return try body()
    }

    /// SQLite's full integrity check: `["ok"]`, or the problems found.
    public func integrityCheck() throws -> [String] {
        try onFile {
            let statement = try connection.uncachedStatement("PRAGMA integrity_check")
            var lines: [String] = []
            while try statement.step() { lines.append(statement.text(0)) }
            return lines
        }
    }

    /// The layout version the file was written with (`StorageInspection.schemaVersion` is this build's).
    public func schemaVersion() throws -> Int {
        try onFile { try connection.userVersion }
    }

    /// The catalog: each table's name and its definition's JSON, by name.
    public func catalogEntries() throws -> [(name: String, definition: String)] {
        try onFile {
            let statement = try connection.uncachedStatement("SELECT name, definition FROM kv_tables ORDER BY name")
            var entries: [(name: String, definition: String)] = []
            while try statement.step() { entries.append((statement.text(0), statement.text(1))) }
            return entries
        }
    }

    /// Calls `body` with each stored item's `ItemCodec` bytes (nil when the stored value is not
    /// bytes at all).
    public func forEachStoredItem(of table: TableDefinition, _ body: ([UInt8]?) -> Void) throws {
        try onFile {
            let statement = try connection.uncachedStatement("SELECT item FROM \(table.sqlTableName)")
            while try statement.step() {
                body(statement.isBlob(0) ? statement.blob(0) : nil)
            }
        }
    }

    /// The number of rows of a secondary index, or nil when its storage is missing.
    public func indexRowCount(of index: IndexDefinition, in table: TableDefinition) -> Int64? {
        guard let statement = try? connection.uncachedStatement("SELECT count(*) FROM \(index.sqlTableName(of: table))"),
            (try? statement.step()) == true
        else { return nil }
        return statement.int64(0)
    }
}
