import CSQLite

/// A prepared statement of one `Connection`.
///
/// Not Sendable, like its connection. Parameter and column indexes follow SQLite: parameters
/// count from 1, columns from 0. Errors carry the SQL text, never the bound values.
final class Statement {
    /// The `sqlite3_stmt *`; finalized in `deinit`.
    private let handle: OpaquePointer
    /// The SQL text, for errors.
    let sql: String

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(handle)
    }

    // MARK: Binding

    /// Binds a blob; an empty array binds a zero-length blob, not NULL.
    func bind(_ index: Int32, _ value: [UInt8]) throws {
        let rc: Int32
        if value.isEmpty {
            rc = sqlite3_bind_zeroblob(handle, index, 0)
        } else {
            rc = value.withUnsafeBytes { buffer in
                sqlite3_bind_blob64(handle, index, buffer.baseAddress, sqlite3_uint64(buffer.count), csqlite_transient())
            }
        }
        try check(rc)
    }

    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds UTF-8 text (including any embedded NUL characters).
    func bind(_ index: Int32, _ value: String) throws {
        var value = value
        let rc = value.withUTF8 { utf8 in
            // A nil pointer would bind NULL: bind an empty string from a static buffer instead.
            guard let base = utf8.baseAddress, !utf8.isEmpty else {
                return sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) { text in
                sqlite3_bind_text64(handle, index, text, sqlite3_uint64(utf8.count), csqlite_transient(), UInt8(SQLITE_UTF8))
            }
        }
        try check(rc)
    }

    func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    // MARK: Running

    /// Advances to the next row.
    ///
    /// - Returns: true when a row is available, false when the statement is done.
    /// - Throws: `SQLiteError` with the extended result code.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw error(rc)
        }
    }

    /// Steps until done, ignoring rows, then resets so the statement holds no lock.
    func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Binds `bytes` at `index` without SQLite copying them, runs like `run()`, then binds NULL
    /// there, so the statement never keeps a pointer to memory it does not own.
    ///
    /// The copy `bind(_:_:)` makes (SQLITE_TRANSIENT) is an allocation and a memcpy of the whole
    /// item per write; here the bytes only have to live until the statement has stepped.
    func run(borrowing bytes: [UInt8], at index: Int32) throws {
        try withBorrowed(bytes, at: index) { try run() }
    }

    /// Binds `bytes` at `index` without SQLite copying them (SQLITE_STATIC) for the duration of
    /// `body`, which must step the statement; binds NULL there afterwards. Nest calls to borrow
    /// several blobs.
    func withBorrowed<R>(_ bytes: [UInt8], at index: Int32, _ body: () throws -> R) throws -> R {
        guard !bytes.isEmpty else {
            // A nil pointer would bind NULL, not a zero-length blob.
            try bind(index, bytes)
            return try body()
        }
        return try bytes.withUnsafeBytes { buffer in
            // A nil destructor is SQLITE_STATIC: SQLite uses the bytes in place.
            try check(sqlite3_bind_blob64(handle, index, buffer.baseAddress, sqlite3_uint64(buffer.count), nil))
            defer { sqlite3_bind_null(handle, index) }
            return try body()
        }
    }

    /// Resets the statement and clears its bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns

    var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The column as bytes; NULL or a zero-length value gives [].
    func blob(_ column: Int32) -> [UInt8] {
        guard let pointer = sqlite3_column_blob(handle, column) else { return [] }
        let count = Int(sqlite3_column_bytes(handle, column))
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Calls `body` with the column's bytes without copying them (NULL gives an empty buffer).
    /// The buffer is valid only inside `body`, e.g. `try statement.withUnsafeBlob(0, ItemCodec.decode)`.
    func withUnsafeBlob<R>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard let pointer = sqlite3_column_blob(handle, column) else {
            return try body(UnsafeBufferPointer(start: nil, count: 0))
        }
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeBufferPointer(start: pointer.assumingMemoryBound(to: UInt8.self), count: count))
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    /// The column as text; NULL gives "". Invalid UTF-8 is repaired with U+FFFD.
    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    /// True when the column holds a BLOB (not NULL, text or a number).
    func isBlob(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_BLOB
    }

    // MARK: Errors

    private func check(_ rc: Int32) throws {
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    private func error(_ rc: Int32) -> SQLiteError {
        let message = sqlite3_db_handle(handle).map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        return SQLiteError(code: rc, message: message, sql: sql)
    }
}
