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

    /// Whether a write may grow the data. While the disk is full (see `StorageSpace`) only
    /// writes that free space run: deletes, DeleteTable, TTL expiry, stream trimming.
    enum WriteIntent: Sendable {
        case grows
        case freesSpace
    }

    public let location: Location
    /// File mode: the disk-full state and its reserve.
    let space: StorageSpace?
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
    ///   - storage: WAL checkpoint threshold and size limit (file mode).
    ///   - space: the disk-full state and reserve (file mode); nil to not track it.
    ///   - onGroupCommit: told of each committed write group (size, seconds), on the writer thread.
    /// - Throws: `SQLiteError` when a connection cannot be opened or configured.
    public init(
        location: Location, synchronous: Synchronous = .normal, readers: Int = 4,
        storage: StorageSettings = StorageSettings(), space: StorageSpace? = nil,
        onGroupCommit: (@Sendable (Int, Double) -> Void)? = nil
    ) throws {
        let owner = WorkerThread.newOwner()
        self.owner = owner
        self.location = location
        self.space = space
        let path: String
        // A file another process may read while the server runs (`kvctl backup --data-dir`)
        // keeps SQLite's shared locking; nothing else can reach an in-memory database's private
        // directory, so its transactions need no system call.
        let locking: Connection.Locking
        switch location {
        case .inMemory:
            let directory = try MemoryDirectory.create()
            memoryDirectory = directory
            path = directory.databasePath
            locking = .processExclusive
        case .file(let filePath):
            memoryDirectory = nil
            path = filePath
            locking = .shared
        }
        Database.applyPageCacheLimit(storage.pageCacheBytes)
        let cacheBytes = storage.pageCacheBytes
        let checkpointer = try Checkpointer(
            owner: owner, connection: Database.openCheckpointer(path: path, locking: locking),
            threshold: storage.walCheckpointPages(), space: space)
        let writer: Writer
        do {
            writer = try Writer(owner: owner, onGroupCommit: onGroupCommit) {
                let connection = try Database.openWriter(
                    path: path, locking: locking, synchronous: synchronous,
                    walSizeLimit: storage.walSizeLimitBytes, cacheBytes: cacheBytes)
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
                try Database.openReader(path: path, locking: locking, cacheBytes: cacheBytes)
            }
            self.inlineReaders = InlineReaders(writer: writer.lender) {
                try Database.openReader(path: path, locking: locking, cacheBytes: cacheBytes)
            }
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

    /// `read` for an engine body (`EngineStorage.read`).
    func readStorage<T: Sendable>(_ body: @escaping @Sendable (StorageTransaction) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            readers.submit(WorkerJob(.read, storage: body, continuation))
        }
    }

    /// `write` for an engine body (`EngineStorage.write`).
    func writeStorage<T: Sendable>(
        _ intent: WriteIntent, _ body: @escaping @Sendable (StorageTransaction) throws -> T
    ) async throws -> T {
        try await submitToWriter(intent) { WorkerJob(.write, storage: body, $0) }
    }

    /// `exclusive` for an engine body (`EngineStorage.exclusive`).
    func exclusiveStorage<T: Sendable>(
        _ intent: WriteIntent, _ body: @escaping @Sendable (StorageTransaction) throws -> T
    ) async throws -> T {
        try await submitToWriter(intent) { WorkerJob(.exclusive, storage: body, $0) }
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
    /// While the disk is full, a write that `.grows` fails at once with `KVError.storageFull`
    /// (never queued); a write that meets SQLITE_FULL fails with it too and turns the state to full.
    ///
    /// - Throws: the error `body` throws, unchanged, `KVError.storageFull`, or `SQLiteError`.
    func write<T: Sendable>(
        _ intent: WriteIntent = .grows, _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        try await submitToWriter(intent) { WorkerJob(.write, body, $0) }
    }

    /// Queues the job `makeJob` builds around the caller's continuation on the writer thread,
    /// after the disk-full admission; SQLITE_FULL becomes `KVError.storageFull`.
    private func submitToWriter<T: Sendable>(
        _ intent: WriteIntent, _ makeJob: (CheckedContinuation<T, any Error>) -> WorkerJob
    ) async throws -> T {
        try admit(intent)
        return try await onDiskFull {
            try await withCheckedThrowingContinuation { continuation in
                writer.submit(makeJob(continuation))
            }
        }
    }

    /// Refuses a growing write while the disk is full.
    private func admit(_ intent: WriteIntent) throws(KVError) {
        if intent == .grows, let space, space.isFull {
            throw .storageFull()
        }
    }

    /// Turns SQLITE_FULL (no space left on the device) into `KVError.storageFull`.
    private func onDiskFull<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as SQLiteError where error.primaryCode == SQLITE_FULL {
            space?.noteDiskFull()
            throw KVError.storageFull()
        }
    }

    /// While the disk is full: gives the space deletes freed back to the file system (incremental
    /// vacuum, in a database created with it, then a WAL checkpoint that truncates the WAL), and
    /// lets writes through again once there is room (`StorageSpace.recoverIfSpaceReturned`).
    /// Returns true when writes were let through again. Called by the maintenance loop.
    @discardableResult
    func recoverSpaceIfFull() async -> Bool {
        guard let space, space.isFull, case .file(let path) = location else { return false }
        // Hand free pages back first (in a database created with incremental auto-vacuum), no
        // more at once than half the room left: moving a page writes it to the WAL. Then copy
        // the WAL into the database and truncate it, but only when the copy fits: it grows the
        // database file up to the WAL's last page, and a copy that runs out of space half way
        // would eat the room deletes need and free nothing.
        let available = space.availableBytes() ?? 0
        let pages = available / 2 / 4096
        if pages > 0 {
            _ = try? await exclusive(.freesSpace) { connection in
                try connection.execute("PRAGMA incremental_vacuum(\(pages))")
            }
        }
        _ = try? await exclusive(.freesSpace) { connection in
            let logicalBytes = try Self.pragmaInt(connection, "page_count") * Self.pragmaInt(connection, "page_size")
            let growth = logicalBytes - StorageSpace.fileSize(path)
            guard growth + StorageSettings.mebibyte <= (space.availableBytes() ?? 0) else { return }
            _ = try connection.queryText("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return space.recoverIfSpaceReturned()
    }

    /// Runs `body` on the writer connection outside any transaction, between write groups
    /// (schema migrations, DDL that needs it, VACUUM). A transaction the body opens must be
    /// finished by it; one left open is rolled back and reported as an error.
    ///
    /// - Throws: the error `body` throws, unchanged, or `SQLiteError`.
    func exclusive<T: Sendable>(
        _ intent: WriteIntent = .grows, _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        try await submitToWriter(intent) { WorkerJob(.exclusive, body, $0) }
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

    private static func pragmaInt(_ connection: Connection, _ name: String) throws -> Int64 {
        Int64(try connection.queryText("PRAGMA \(name)") ?? "0") ?? 0
    }

    // MARK: Opening connections (on their own threads)

    private static func openWriter(
        path: String, locking: Connection.Locking, synchronous: Synchronous, walSizeLimit: Int64,
        cacheBytes: Int64
    ) throws -> Connection {
        let connection = try Connection(path: path, mode: .readWrite, locking: locking)
        connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        // A new database keeps the pages deletes free in a list it can hand back to the file
        // system (`PRAGMA incremental_vacuum`), which is how deletes through the API make room
        // on a full disk (see `recoverSpaceIfFull`). Only takes effect before the first table is
        // created; an older file keeps its mode (its free pages are still reused by new writes).
        try connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
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
            commonPragmas(cacheKiB: cacheKiB(share: 2, of: cacheBytes)) + """
                PRAGMA synchronous = \(synchronous.rawValue);
                -- Debian's SQLite is built with secure_delete on: every page a delete frees is
                -- zeroed and written to the WAL, so dropping a 20 MB table wrote 20 MB and could
                -- not run on a full disk. FAST zeroes deleted content only in pages written anyway.
                PRAGMA secure_delete = FAST;
                -- When the WAL restarts after a complete checkpoint, truncate it to this size
                -- (default 64 MiB, `--wal-size-limit`) instead of keeping its peak size.
                PRAGMA journal_size_limit = \(max(0, walSizeLimit));
                """)
        return connection
    }

    private static func openCheckpointer(path: String, locking: Connection.Locking) throws -> Connection {
        let connection = try Connection(path: path, mode: .readWrite, locking: locking)
        connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        return connection
    }

    private static func openReader(
        path: String, locking: Connection.Locking, cacheBytes: Int64
    ) throws -> Connection {
        let connection = try Connection(path: path, mode: .readOnly, locking: locking)
        connection.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        try connection.execute(commonPragmas(cacheKiB: cacheKiB(share: 2, of: cacheBytes)))
        return connection
    }

    /// SQLite's soft heap limit, for the whole process (`StorageSettings.pageCacheBytes`, default
    /// 16 MiB, `--cache-size`): past it, page caches reuse their least recently used clean pages
    /// instead of growing. Each connection's `cache_size` is a share of it (see `cacheKiB`).
    /// Caches are per connection, so the writer, the pool's readers and each event loop's
    /// inline reader each keep their own copy of the pages they read; the limit was 40 MiB (45 MB
    /// of private memory after `Scripts/bench/run.py`). Set by each database opened; the last one
    /// wins (a server opens one). In-memory databases are files on a memory file system, so
    /// their pages can be recycled like any file's.
    static func applyPageCacheLimit(_ bytes: Int64) {
        sqlite3_soft_heap_limit64(max(minimumPageCacheBytes, bytes))
    }

    /// Below this SQLite cannot keep even the pages of one statement's B-tree path.
    static let minimumPageCacheBytes: Int64 = 1 << 20

    /// A connection's `cache_size` in KiB: `1/share` of the shared limit. Each connection gets
    /// half, which holds GetItem's working set in `run.py`; the writer too, since it answers most
    /// point reads (`WriterConnectionLender`: with a quarter, GetItem alone cost 4% more server
    /// CPU on it than on a reader, `Scripts/bench/ab.py`). A whole-limit share let the writer fill
    /// the cache first, so that the readers, found past the limit, recycled their own pages on
    /// every GetItem (3 more page reads per request with an 8 MiB limit).
    private static func cacheKiB(share: Int64, of limitBytes: Int64) -> Int {
        Int(max(minimumPageCacheBytes, limitBytes) / share / 1024)
    }

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
