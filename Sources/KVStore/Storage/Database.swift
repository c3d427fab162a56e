import CSQLite

/// The database: one writer connection on its own thread plus a pool of reader connections.
///
/// SQLite calls block, so no connection is ever used on the Swift cooperative pool or a NIO
/// event loop: every connection is owned by a dedicated thread (see `Writer`, `ReaderPool`),
/// and `read`, `write` and `exclusive` suspend the caller until that thread has finished.
///
/// - File mode: WAL journal, so readers see the last committed state while the writer works;
///   readers are opened `SQLITE_OPEN_READONLY`.
/// - In-memory mode: the same, on a file in a private directory on a memory file system
///   (`MemoryDirectory`), removed when the database closes; so reads never wait for the writer.
///
/// Bodies receive the `Connection` and must not let it (or its statements) escape, must not
/// run BEGIN/COMMIT/ROLLBACK inside `write` (use SAVEPOINT), and must not call `close()`.
/// Task cancellation is not observed: a submitted body runs.
public final class Database: Sendable {
    public enum Location: Sendable {
        case inMemory
        case file(path: String)
    }

    /// SQLite's `synchronous` level: in WAL mode `.normal` loses no committed write on a process
    /// crash, `.full` also survives power loss (an fsync per commit).
    public enum Synchronous: String, Sendable {
        case normal = "NORMAL"
        case full = "FULL"
    }

    /// How long a connection waits for a lock held by another process (for example a backup
    /// tool) before failing with SQLITE_BUSY. In-process, WAL readers never block the writer.
    static let busyTimeoutMilliseconds: Int32 = 5_000

    public let location: Location
    private let owner: Int
    private let writer: Writer
    private let readers: ReaderPool
    /// Checkpoints the WAL beside the writer (see `Checkpointer`).
    private let checkpointer: Checkpointer
    /// Single-statement point reads on the caller's own connection (see `InlineReaders`).
    let inlineReaders: InlineReaders
    /// In-memory mode: the directory holding the database files, removed on close.
    private let memoryDirectory: MemoryDirectory?
    /// In-memory mode: where its files are (for tests and diagnostics).
    var memoryDirectoryPath: String? { memoryDirectory?.path }

    /// Opens (creating if needed) the database and starts its threads.
    ///
    /// - Parameters:
    ///   - location: a file, or a private in-memory database.
    ///   - synchronous: the durability of a commit (file mode).
    ///   - readers: the number of reader threads and connections (file mode; at least 1).
    /// - Throws: `SQLiteError` when a connection cannot be opened or configured.
    public init(location: Location, synchronous: Synchronous = .normal, readers: Int = 4) throws {
        let owner = WorkerThread.newOwner()
        self.owner = owner
        self.location = location
        let path: String
        switch location {
        case .inMemory:
            let directory = try MemoryDirectory.create()
            memoryDirectory = directory
            path = directory.databasePath
        case .file(let filePath):
            memoryDirectory = nil
            path = filePath
        }
        _ = Database.sharedCacheLimit
        let checkpointer = try Checkpointer(owner: owner, connection: Database.openCheckpointer(path: path))
        let writer: Writer
        do {
            writer = try Writer(owner: owner) {
                let connection = try Database.openWriter(path: path, synchronous: synchronous)
                checkpointer.watch(connection)
                return connection
            }
        } catch {
            checkpointer.stop()
            throw error
        }
        self.checkpointer = checkpointer
        do {
            // The writer has created the file and switched it to WAL before readers open it.
            self.readers = try ReaderPool(count: max(1, readers), owner: owner) {
                try Database.openReader(path: path)
            }
            self.inlineReaders = InlineReaders { try Database.openReader(path: path) }
        } catch {
            checkpointer.stop()
            writer.stop()
            writer.waitUntilExited()
            throw error
        }
        self.writer = writer
    }

    deinit {
        // Cannot wait here: the last reference may be dropped on a worker thread. The threads
        // still finish their queued jobs and close their connections.
        readers.stop()
        writer.stop()
    }

    /// Runs `body` on a reader connection, in a read transaction (one WAL snapshot).
    ///
    /// Several reads run in parallel.
    ///
    /// - Throws: the error `body` throws, unchanged, or `SQLiteError`.
    func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            readers.submit(WorkerJob(.read, body, continuation))
        }
    }

    /// Runs `body` on the writer connection inside a transaction, acknowledged after COMMIT.
    ///
    /// Writes submitted concurrently are coalesced into one group commit: the writer takes
    /// every pending write (at most `Writer.maxGroupSize`), runs BEGIN IMMEDIATE, each body in
    /// its own SAVEPOINT (a body that throws is rolled back to its savepoint and gets its error;
    /// the others are unaffected), then COMMIT, and only then resumes the callers. If COMMIT
    /// fails, every write of the group gets its error.
    ///
    /// - Throws: the error `body` throws, unchanged, or `SQLiteError`.
    func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            writer.submit(WorkerJob(.write, body, continuation))
        }
    }

    /// Runs `body` on the writer connection outside any transaction, between write groups
    /// (schema migrations, DDL that needs it, VACUUM). A transaction the body opens must be
    /// finished by it; one left open is rolled back and reported as an error.
    ///
    /// - Throws: the error `body` throws, unchanged, or `SQLiteError`.
    func exclusive<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            writer.submit(WorkerJob(.exclusive, body, continuation))
        }
    }

    /// Writes and exclusive jobs queued for the writer thread and not yet started.
    var pendingWriterJobs: Int { writer.pendingCount }

    /// Group commit counters of the writer.
    var writerStatistics: Writer.Statistics { writer.statistics }

    /// Finishes queued reads and writes, stops the threads and closes every connection.
    ///
    /// Idempotent; calls after the first (or concurrent ones) wait for the same shutdown. Jobs
    /// submitted once closing has begun fail with `SQLiteError` (SQLITE_MISUSE). Readers close
    /// before the writer, so the writer's connection is the last and checkpoints the WAL.
    public func close() {
        precondition(
            !WorkerThread.isCurrent(owner: owner),
            "Database.close() called from inside a database body would wait for itself")
        readers.stop()
        readers.waitUntilExited()
        inlineReaders.close()
        checkpointer.stop()
        writer.stop()
        writer.waitUntilExited()
        memoryDirectory?.remove()
    }

    /// Runs a single-statement read right here on the calling thread's own read-only connection.
    /// The body must not step more than one statement: only a single statement is a consistent
    /// snapshot outside a transaction.
    func pointRead<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try inlineReaders.read(body)
    }

    // MARK: Opening connections (on their own threads)

    private static func openWriter(path: String, synchronous: Synchronous) throws -> Connection {
        let connection = try Connection(path: path, mode: .readWrite)
        connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        // WAL: readers keep reading the last commit while the writer writes, and a commit
        // appends to one file instead of rewriting pages. The mode is stored in the file.
        let mode = try connection.queryText("PRAGMA journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(
                code: SQLITE_CANTOPEN,
                message: "cannot use WAL journal mode (got \(mode ?? "nothing")); use a local file system",
                sql: "PRAGMA journal_mode = WAL")
        }
        try connection.execute(
            commonPragmas(cacheKiB: 32 * 1024) + """
                PRAGMA synchronous = \(synchronous.rawValue);
                -- Truncate the WAL back to 64 MiB after a checkpoint instead of keeping its peak size.
                PRAGMA journal_size_limit = 67108864;
                """)
        return connection
    }

    private static func openCheckpointer(path: String) throws -> Connection {
        let connection = try Connection(path: path, mode: .readWrite)
        connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        return connection
    }

    private static func openReader(path: String) throws -> Connection {
        let connection = try Connection(path: path, mode: .readOnly)
        connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try connection.execute(commonPragmas(cacheKiB: 8 * 1024))
        return connection
    }

    /// SQLite's soft heap limit, for the whole process: past it, page caches reuse their least
    /// recently used clean pages instead of growing. Each connection's `cache_size` is its own
    /// ceiling (32 MiB for the writer, 8 MiB for each of up to six readers); together they could
    /// hold 80 MiB of mostly cold pages, which a full Scan of a large table would fill. Set by
    /// the first database (in-memory databases are files on a memory file system too, so their
    /// pages can be recycled like any file's).
    static let sharedCacheLimit: Int64 = {
        let limit: Int64 = 40 << 20
        sqlite3_soft_heap_limit64(limit)
        return limit
    }()

    /// Pragmas of every connection.
    ///
    /// - `foreign_keys = OFF`: the schema declares no foreign keys; the engine keeps items,
    ///   index rows and stream records consistent itself, inside one transaction.
    /// - `temp_store = MEMORY`: sorts and temporary b-trees of a query never touch the disk.
    /// - `cache_size`: page cache per connection (negative means KiB).
    /// - `mmap_size` stays 0 (the default): with memory-mapped I/O a disk error or a file
    ///   truncated by another process raises SIGBUS and kills the server instead of returning
    ///   SQLITE_IOERR for one request; the OS page cache already serves hot pages.
    private static func commonPragmas(cacheKiB: Int) -> String {
        """
        PRAGMA foreign_keys = OFF;
        PRAGMA temp_store = MEMORY;
        PRAGMA cache_size = -\(cacheKiB);

        """
    }
}
