import CSQLite

/// A SQLite error with its extended result code.
///
/// The message is SQLite's own (`sqlite3_errmsg`) and `sql` is the statement text as
/// written, never expanded: bound values (user data) never appear in an error, so errors
/// can be logged freely.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The extended result code (for example 2067, `SQLITE_CONSTRAINT_UNIQUE`).
    public var code: Int32
    /// SQLite's explanation of the failure.
    public var message: String
    /// The SQL that failed, when the error comes from a statement.
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of `code`, for example 19, `SQLITE_CONSTRAINT`).
    public var primaryCode: Int32 { code & 0xFF }

    /// True when another connection held a lock for longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        var text = "SQLite error \(code) (\(String(cString: sqlite3_errstr(code)))): \(message)"
        if let sql { text += " [SQL: \(sql)]" }
        return text
    }

    /// The error returned to callers once the database has been closed.
    static let closed = SQLiteError(code: SQLITE_MISUSE, message: "the database is closed")
}
