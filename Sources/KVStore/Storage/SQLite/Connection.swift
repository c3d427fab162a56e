import CSQLite

/// One SQLite connection.
///
/// Not Sendable: a connection is owned by one thread (a `Database` worker) and used by one
/// thread at a time, which is why it is opened with `SQLITE_OPEN_NOMUTEX`. Bodies given to
/// `Database.read`/`write`/`exclusive` receive it and must not let it escape.
final class Connection {
    /// How a connection is opened.
    enum Mode {
        /// Read-write, creating the file if needed (the writer).
        case readWrite
        /// `SQLITE_OPEN_READONLY` (the WAL readers).
        case readOnly
        /// Read-write, failing when the file does not exist (offline tools on a data directory).
        case readWriteExisting
    }

    /// How connections to one file coordinate (SQLite's VFS).
    enum Locking {
        /// POSIX locks on the database and its `-shm` file, taken and released by every
        /// transaction: other processes may open the file at the same time (SQLite's `unix`).
        case shared
        /// The first connection locks the file against other processes for as long as the
        /// process has it open; this process's connections then coordinate in memory, and the
        /// WAL index lives on the heap instead of in a `-shm` file (SQLite's `unix-excl`). A
        /// read transaction then makes no system call: with `.shared` its two `fcntl` calls
        /// (take and release a read slot) were about 8% of a GetItem's server CPU
        /// (1.7 µs a pair on the benchmark machine).
        case processExclusive

        /// `sqlite3_open_v2`'s VFS name (nil: the default, `unix`).
        var vfsName: String? {
            switch self {
            case .shared: nil
            case .processExclusive: "unix-excl"
            }
        }
    }

    /// Cached statements beyond this count are dropped all at once. Item tables are named
    /// after a storage id, so statements of deleted tables would otherwise pile up forever.
    static let statementCacheLimit = 512

    /// The `sqlite3 *` handle; nil once closed.
    private var handle: OpaquePointer?
    private var cache: [String: Statement] = [:]
    /// Statements asked for by `StatementKey` (their text is built only to prepare them).
    private var keyedCache: [StatementKey: Statement] = [:]

    /// Opens a connection.
    ///
    /// - Parameters:
    ///   - path: a file path, or ":memory:" for a private in-memory database.
    ///   - mode: read-write (creating the file) or read-only.
    ///   - locking: how it coordinates with the file's other connections; all of a file's
    ///     connections in this process must use the same.
    /// - Throws: `SQLiteError` when SQLite cannot open the database.
    init(path: String, mode: Mode, locking: Locking = .shared) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readWrite: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWriteExisting: flags |= SQLITE_OPEN_READWRITE
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, locking.vfsName)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        handle = db
    }

    deinit {
        close()
    }

    /// Finalizes the cached statements and closes the connection; idempotent.
    ///
    /// `sqlite3_close_v2` defers the close until statements still referenced elsewhere are
    /// finalized, so a stray `Statement` cannot make this fail.
    func close() {
        guard let db = handle else { return }
        cache.removeAll()
        keyedCache.removeAll()
        sqlite3_close_v2(db)
        handle = nil
    }

    private var db: OpaquePointer {
        guard let handle else { preconditionFailure("use of a closed SQLite connection") }
        return handle
    }

    /// Runs one or more semicolon-separated statements (`sqlite3_exec`), discarding any rows.
    ///
    /// - Throws: `SQLiteError` with the SQL text (never bound values: there are none).
    func execute(_ sql: String) throws {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errorMessage)
        guard rc == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(errorMessage)
            throw SQLiteError(code: rc, message: message, sql: sql)
        }
    }

    /// The prepared statement for `sql`, reset with its bindings cleared.
    ///
    /// Statements are prepared once per connection with `SQLITE_PREPARE_PERSISTENT` and cached
    /// by SQL text. Asking again for the same SQL returns the same object reset, so do not ask
    /// for a statement while iterating the rows of an identical one (use `uncachedStatement`).
    ///
    /// - Throws: `SQLiteError` when the SQL does not compile.
    func statement(_ sql: String) throws -> Statement {
        if let cached = cache[sql] {
            cached.reset()
            return cached
        }
        let statement = try prepare(sql, persistent: true)
        if cache.count >= Self.statementCacheLimit {
            cache.removeAll(keepingCapacity: true)
        }
        cache[sql] = statement
        return statement
    }

    /// `statement(_:)` for a statement known by `key`: `sql` is built and compiled only the
    /// first time. The same caution applies: one key, one object.
    ///
    /// - Throws: `SQLiteError` when the SQL does not compile.
    func statement(_ key: StatementKey, _ sql: () -> String) throws -> Statement {
        let statement = try statementAsLeft(key, sql)
        statement.reset()
        return statement
    }

    /// `statement(_:_:)` without the reset, for a caller that binds every parameter and resets
    /// the statement when done with it (`defer { statement.reset() }`), as every user of its
    /// key does: the statement is then already reset, and resetting it again on the way in cost
    /// a point read about 1,000 instructions (Scripts/bench/callgrind_reads.py).
    func statementAsLeft(_ key: StatementKey, _ sql: () -> String) throws -> Statement {
        if let cached = keyedCache[key] {
            return cached
        }
        let statement = try prepare(sql(), persistent: true)
        if keyedCache.count >= Self.statementCacheLimit {
            keyedCache.removeAll(keepingCapacity: true)
        }
        keyedCache[key] = statement
        return statement
    }

    /// A new statement for `sql`, not cached: finalized when released.
    func uncachedStatement(_ sql: String) throws -> Statement {
        try prepare(sql, persistent: false)
    }

    private func prepare(_ sql: String, persistent: Bool) throws -> Statement {
        var stmt: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        var tail: UnsafePointer<CChar>?
        let rc = sql.withCString { text in
            let rc = sqlite3_prepare_v3(db, text, -1, flags, &stmt, &tail)
            if rc == SQLITE_OK, let tail, containsSQL(tail) {
                return SQLITE_MISUSE
            }
            return rc
        }
        guard rc == SQLITE_OK, let stmt else {
            if rc == SQLITE_MISUSE, stmt != nil {
                sqlite3_finalize(stmt)
                throw SQLiteError(code: rc, message: "a prepared statement holds exactly one SQL statement", sql: sql)
            }
            // An empty string or a comment compiles to no statement at all.
            let message = rc == SQLITE_OK ? "no SQL statement to prepare" : String(cString: sqlite3_errmsg(db))
            throw SQLiteError(code: rc == SQLITE_OK ? SQLITE_MISUSE : rc, message: message, sql: sql)
        }
        return Statement(handle: stmt, sql: sql)
    }

    /// How long SQLite retries when another connection (another process) holds a lock.
    func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(db, milliseconds)
    }

    /// Runs a PRAGMA (or any query) and returns the first column of its first row as text.
    func queryText(_ sql: String) throws -> String? {
        let statement = try statement(sql)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE (`sqlite3_changes`).
    var changes: Int { Int(sqlite3_changes64(db)) }

    /// The rowid of the most recent successful INSERT into a rowid table.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(db) }

    /// True while a transaction is open (`sqlite3_get_autocommit` is 0).
    var isInTransaction: Bool { sqlite3_get_autocommit(db) == 0 }

    /// True while any transaction is open, including the read transaction of a statement left
    /// stepping in autocommit mode (which `isInTransaction` does not see).
    var holdsTransaction: Bool { sqlite3_txn_state(db, nil) != SQLITE_TXN_NONE }

    /// `PRAGMA user_version`: the schema version the engine's migrations maintain.
    var userVersion: Int {
        get throws {
            let statement = try statement("PRAGMA user_version")
            defer { statement.reset() }
            guard try statement.step() else { return 0 }
            return Int(statement.int64(0))
        }
    }

    /// Sets `PRAGMA user_version`.
    func setUserVersion(_ v: Int) throws {
        // A PRAGMA takes no bound parameters; an integer interpolates safely.
        try execute("PRAGMA user_version = \(Int32(clamping: v))")
    }

    /// Resets every statement of this connection that is part-way through its rows.
    ///
    /// A statement left mid-iteration keeps its read transaction (and so its WAL snapshot)
    /// open and blocks DROP TABLE; the database calls this after each body.
    func resetActiveStatements() {
        var stmt = sqlite3_next_stmt(db, nil)
        while let current = stmt {
            if sqlite3_stmt_busy(current) != 0 {
                sqlite3_reset(current)
            }
            stmt = sqlite3_next_stmt(db, current)
        }
    }
}

/// True if `text` holds anything but whitespace, semicolons and comments.
private func containsSQL(_ text: UnsafePointer<CChar>) -> Bool {
    var p = text
    while true {
        switch UInt8(bitPattern: p.pointee) {
        case 0: return false
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ";"):
            p += 1
        case UInt8(ascii: "-") where UInt8(bitPattern: p[1]) == UInt8(ascii: "-"):
            while p.pointee != 0 && UInt8(bitPattern: p.pointee) != UInt8(ascii: "\n") { p += 1 }
        case UInt8(ascii: "/") where UInt8(bitPattern: p[1]) == UInt8(ascii: "*"):
            p += 2
            while p.pointee != 0 && !(UInt8(bitPattern: p.pointee) == UInt8(ascii: "*") && UInt8(bitPattern: p[1]) == UInt8(ascii: "/")) {
                p += 1
            }
            if p.pointee == 0 { return false }
            p += 2
        default:
            return true
        }
    }
}

extension Connection {
    /// Copies this whole database into `destination` with SQLite's online backup API: a
    /// consistent snapshot even while another process writes (the copy restarts if a writer
    /// changes pages mid-way; a WAL writer does not block it).
    ///
    /// - Throws: `SQLiteError` with the destination's message when the copy cannot start
    ///   ("cannot start the backup: ...") or fails ("backup failed: ...").
    func backup(into destination: Connection) throws {
        guard let backup = sqlite3_backup_init(destination.db, "main", db, "main") else {
            throw SQLiteError(
                code: sqlite3_errcode(destination.db),
                message: "cannot start the backup: \(String(cString: sqlite3_errmsg(destination.db)))")
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, 256)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { sqlite3_sleep(20) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finish == SQLITE_OK else {
            throw SQLiteError(
                code: code == SQLITE_DONE ? finish : code,
                message: "backup failed: \(String(cString: sqlite3_errmsg(destination.db)))")
        }
    }

    /// `sqlite3_wal_hook`: SQLite calls `hook(context, db, schema, pages)` after each commit
    /// with the WAL's size in pages. Replaces SQLite's automatic checkpoint.
    func setWALHook(
        _ context: UnsafeMutableRawPointer,
        _ hook: @escaping @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32
    ) {
        sqlite3_wal_hook(db, hook, context)
    }
}
