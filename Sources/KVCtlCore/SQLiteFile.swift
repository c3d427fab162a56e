import CSQLite
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A minimal SQLite connection for the offline commands (backup, restore, check). No C type
/// leaves this file.
final class SQLiteFile {
    enum Mode {
        case readOnly
        /// Read-write, the file must exist.
        case readWrite
        /// Read-write, created if missing.
        case create
    }

    enum Value: Equatable {
        case null
        case integer(Int64)
        case text(String)
        case blob([UInt8])

        var integer: Int64? {
            if case .integer(let value) = self { return value }
            return nil
        }

        var text: String? {
            if case .text(let value) = self { return value }
            return nil
        }
    }

    let path: String
    private var db: OpaquePointer?

    init(path: String, mode: Mode) throws {
        self.path = path
        let flags: Int32 =
            switch mode {
            case .readOnly: SQLITE_OPEN_READONLY
            case .readWrite: SQLITE_OPEN_READWRITE
            case .create: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
            }
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags | SQLITE_OPEN_NOMUTEX, nil)
        db = handle
        guard code == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(code)"
            sqlite3_close_v2(handle)
            db = nil
            throw CLIError("cannot open \(path): \(message)")
        }
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { close() }

    func close() {
        if let db { sqlite3_close_v2(db) }
        db = nil
    }

    private var errorMessage: String { db.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    func execute(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw CLIError("\(path): \(errorMessage)")
        }
    }

    /// Runs a query and calls `row` with each row's columns.
    func query(_ sql: String, row: ([Value]) throws -> Void) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw CLIError("\(path): \(errorMessage)")
        }
        defer { sqlite3_finalize(statement) }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw CLIError("\(path): \(errorMessage)") }
            var values: [Value] = []
            for column in 0..<sqlite3_column_count(statement) {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_NULL: values.append(.null)
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    if count > 0, let pointer = sqlite3_column_blob(statement, column) {
                        values.append(.blob(Array(UnsafeRawBufferPointer(start: pointer, count: count))))
                    } else {
                        values.append(.blob([]))
                    }
                default:
                    values.append(.text(sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""))
                }
            }
            try row(values)
        }
    }

    func rows(_ sql: String) throws -> [[Value]] {
        var result: [[Value]] = []
        try query(sql) { result.append($0) }
        return result
    }

    func scalar(_ sql: String) throws -> Value {
        try rows(sql).first?.first ?? .null
    }

    /// Copies this whole database into `destination` with SQLite's online backup API: a
    /// consistent snapshot even while another process writes (the copy restarts if a writer
    /// changes pages mid-way; a WAL writer does not block it).
    func backup(into destination: SQLiteFile) throws {
        guard let backup = sqlite3_backup_init(destination.db, "main", db, "main") else {
            throw CLIError("cannot start the backup: \(destination.errorMessage)")
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, 256)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { sqlite3_sleep(20) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE, finish == SQLITE_OK else {
            throw CLIError("backup failed: \(destination.errorMessage)")
        }
    }
}

/// Tells whether another process holds POSIX locks on a database (SQLite locks the database
/// file and its `-shm` while a connection is open in WAL mode).
enum FileLockProbe {
    /// The pid of a process holding a lock on one of the files, if any.
    static func holder(of paths: [String]) -> Int32? {
        for path in paths where FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_RDWR)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var lock = flock()
            lock.l_type = Int16(F_WRLCK)
            lock.l_whence = Int16(SEEK_SET)
            lock.l_start = 0
            lock.l_len = 0
            if fcntl(fd, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) { return lock.l_pid }
        }
        return nil
    }
}
