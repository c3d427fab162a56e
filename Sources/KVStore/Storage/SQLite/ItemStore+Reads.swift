/// The reads of the item storage port on SQLite: the point read of stored bytes (GetItem) and
/// range reads (`ItemRange`: Query and Scan pages) as one statement each.
///
/// A range's statement is found in the connection's cache by its shape (`StatementKey`: source,
/// span kind, which bounds, start, direction), never by its values: those are bound. Item tables are `WITHOUT ROWID` tables keyed by (h, pk, sk) and
/// index tables by (h, pk, sk, tpk, tsk) (`Schema`), so every range is one B-tree walk in
/// either direction.
extension ItemStore: ItemRangeStorage {
    /// The stored item's bytes, undecoded, and its DynamoDB size; nil when absent.
    func fetchStored(_ key: StorageKey) throws -> (items: StoredItems, size: Int)? {
        try Self.fetchStored(key, storageID: table.storageID, on: connection)
    }

    /// `fetchStored` of the table with `storageID` without a store (GetItem's inline read).
    static func fetchStored(_ key: StorageKey, storageID: Int64, on connection: Connection) throws
        -> (items: StoredItems, size: Int)?
    {
        let statement = try fetchItemStatement(storageID: storageID, on: connection)
        defer { statement.reset() }
        try statement.bind(1, key.hash)
        try statement.bind(2, key.partition)
        try statement.bind(3, key.sort)
        guard try statement.step() else { return nil }
        var items = StoredItems()
        statement.withUnsafeBlob(0) { items.append($0) }
        return (items, Int(statement.int64(1)))
    }

    /// Runs `range`'s statement and lends its rows to `body`; the statement is reset after.
    func withRows<R>(in range: ItemRange, _ body: (inout SQLiteItemRows) throws -> R) throws -> R {
        let key = StatementKey(.range(ItemRangeSQL.shape(of: range)), table: table, index: range.index)
        // Reset after each use, and `bind` binds every parameter its shape's text names.
        let statement = try connection.statementAsLeft(key) { ItemRangeSQL.text(of: range, table: table) }
        defer { statement.reset() }
        try ItemRangeSQL.bind(range, to: statement)
        var rows = SQLiteItemRows(statement: statement)
        return try body(&rows)
    }

    /// The external seam's range read (`ExternalItemStorage.rows(in:limit:)`), for
    /// `SQLiteExternalBackend` only: the same statement with the row's key columns, copied out
    /// `limit` rows at a time. kvserver's SQLite path walks `withRows` instead.
    func rows(in range: ItemRange, limit: Int) throws -> [ExternalRangeRow] {
        let statement = try connection.statement(ItemRangeSQL.text(of: range, table: table, withKeys: true))
        defer { statement.reset() }
        try ItemRangeSQL.bind(range, to: statement)
        let isIndex = range.index != nil
        // The key columns follow `item, size` (and an index's `tpk, tsk`).
        let keys: Int32 = isIndex ? 4 : 2
        var rows: [ExternalRangeRow] = []
        while rows.count < limit, try statement.step() {
            var position = RangePosition(
                hash: statement.int64(keys), partition: statement.blob(keys + 1), sort: statement.blob(keys + 2))
            if isIndex {
                position.tablePartition = statement.blob(2)
                position.tableSort = statement.blob(3)
            }
            rows.append(ExternalRangeRow(position: position, size: Int(statement.int64(1)), item: statement.blob(0)))
        }
        return rows
    }
}

/// The rows of a range statement: columns `item, size` and, for an index, `tpk, tsk`.
struct SQLiteItemRows: ItemRows {
    fileprivate let statement: Statement

    @inline(__always)
    func next() throws -> Bool {
        try statement.step()
    }

    var size: Int { Int(statement.int64(1)) }

    @inline(__always)
    func withItemBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try statement.withUnsafeBlob(0, body)
    }

    var tableKey: StorageKey {
        let partition = statement.blob(2)
        return StorageKey(hash: PartitionHash.of(partition), partition: partition, sort: statement.blob(3))
    }
}

/// The SQL of an `ItemRange` and its parameters, in the order the text names them.
///
/// A Query (`.partition`): `h = ? AND pk = ?`, the sort bounds on `sk`, and a start after
/// `(sk)` or, for an index, `(sk, tpk, tsk)`, ordered by those columns. A Scan (`.hashSlice`):
/// `h >= ? AND h < ?` and a start after the full key, ordered by it.
enum ItemRangeSQL {
    /// `withKeys` adds the row's `h, pk, sk` after the other columns (`ItemStore.rows(in:limit:)`).
    static func text(of range: ItemRange, table: TableDefinition, withKeys: Bool = false) -> String {
        let isIndex = range.index != nil
        let source = range.index.map { $0.sqlTableName(of: table) } ?? table.sqlTableName
        let ascending = range.order == .ascending
        // Built only when the connection has no statement for the range's shape yet.
        var sql =
            switch (isIndex, withKeys) {
            case (false, false): "SELECT item, size FROM "
            case (true, false): "SELECT item, size, tpk, tsk FROM "
            case (false, true): "SELECT item, size, h, pk, sk FROM "
            case (true, true): "SELECT item, size, tpk, tsk, h, pk, sk FROM "
            }
        sql += source
        switch range.span {
        case .partition(_, _, let sort):
            sql += " WHERE h = ? AND pk = ?"
            switch sort {
            case .all:
                break
            case .equal:
                sql += " AND sk = ?"
            case .range(let lower, let upper):
                switch lower {
                case .inclusive?: sql += " AND sk >= ?"
                case .exclusive?: sql += " AND sk > ?"
                case nil: break
                }
                switch upper {
                case .inclusive?: sql += " AND sk <= ?"
                case .exclusive?: sql += " AND sk < ?"
                case nil: break
                }
            }
            if range.start != nil {
                let after = ascending ? ">" : "<"
                sql += isIndex ? " AND (sk, tpk, tsk) \(after) (?, ?, ?)" : " AND (sk) \(after) (?)"
            }
            switch (isIndex, ascending) {
            case (false, true): sql += " ORDER BY sk ASC"
            case (false, false): sql += " ORDER BY sk DESC"
            case (true, true): sql += " ORDER BY sk ASC, tpk ASC, tsk ASC"
            case (true, false): sql += " ORDER BY sk DESC, tpk DESC, tsk DESC"
            }
        case .hashSlice:
            sql += " WHERE h >= ? AND h < ?"
            if range.start != nil {
                let after = ascending ? ">" : "<"
                sql += isIndex ? " AND (h, pk, sk, tpk, tsk) \(after) (?, ?, ?, ?, ?)" : " AND (h, pk, sk) \(after) (?, ?, ?)"
            }
            switch (isIndex, ascending) {
            case (false, true): sql += " ORDER BY h, pk, sk"
            case (false, false): sql += " ORDER BY h DESC, pk DESC, sk DESC"
            case (true, true): sql += " ORDER BY h, pk, sk, tpk, tsk"
            case (true, false): sql += " ORDER BY h DESC, pk DESC, sk DESC, tpk DESC, tsk DESC"
            }
        }
        return sql
    }

    /// What `text(of:table:)` depends on besides the table and index, packed for
    /// `StatementKey`: the span's kind, the direction, whether there is a start position, and
    /// the sort-key bounds' kinds. Equal shapes on one table or index have equal text.
    static func shape(of range: ItemRange) -> UInt16 {
        var shape: UInt16 = range.order == .ascending ? 1 : 0
        if range.start != nil { shape |= 2 }
        switch range.span {
        case .hashSlice:
            shape |= 4
        case .partition(_, _, let sort):
            let bounds: UInt16
            switch sort {
            case .all: bounds = 0
            case .equal: bounds = 1
            case .range(let lower, let upper): bounds = 2 + 3 * boundKind(lower) + boundKind(upper)
            }
            shape |= bounds << 3
        }
        return shape
    }

    private static func boundKind(_ bound: SortKeyBounds.Bound?) -> UInt16 {
        switch bound {
        case nil: 0
        case .inclusive?: 1
        case .exclusive?: 2
        }
    }

    /// Binds `range`'s values to its statement (`text(of:table:)`).
    static func bind(_ range: ItemRange, to statement: Statement) throws {
        var parameter: Int32 = 1
        func next(_ value: [UInt8]) throws {
            try statement.bind(parameter, value)
            parameter += 1
        }
        let isIndex = range.index != nil
        switch range.span {
        case .partition(let hash, let key, let sort):
            try statement.bind(1, hash)
            try statement.bind(2, key)
            parameter = 3
            switch sort {
            case .all:
                break
            case .equal(let value):
                try next(value)
            case .range(let lower, let upper):
                if let lower { try next(lower.value) }
                if let upper { try next(upper.value) }
            }
            if let start = range.start {
                try next(start.sort)
                if isIndex {
                    try next(start.tablePartition)
                    try next(start.tableSort)
                }
            }
        case .hashSlice(let low, let high):
            try statement.bind(1, low)
            try statement.bind(2, high)
            if let start = range.start {
                try statement.bind(3, start.hash)
                parameter = 4
                try next(start.partition)
                try next(start.sort)
                if isIndex {
                    try next(start.tablePartition)
                    try next(start.tableSort)
                }
            }
        }
    }
}
