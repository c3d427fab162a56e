/// The identity of a cached statement whose SQL text follows from its shape and the table (and
/// index) it reads or writes, so that the hot paths find it without building the text (the
/// table's name interpolated) and hashing 60 to 120 bytes of it, which cost more than running
/// a point read. `Connection.statement(_:_:)` builds the text only on a miss.
struct StatementKey: Hashable {
    /// What the statement does; its text is a function of this, `storageID` and `index`.
    enum Shape: Hashable {
        /// `SELECT item, size` of one item (GetItem, the write pipeline's old item).
        case fetchItem
        /// `SELECT size` of one item.
        case fetchSize
        /// `INSERT OR REPLACE` of one item row.
        case upsertItem
        /// `DELETE` of one item row.
        case deleteItem
        /// `INSERT OR REPLACE` of one index row.
        case upsertIndexRow
        /// `DELETE` of one index row.
        case deleteIndexRow
        /// `INSERT OR IGNORE` of one TTL expiry row.
        case insertExpiry
        /// `DELETE` of one TTL expiry row.
        case deleteExpiry
        /// A range read (`ItemRangeSQL`), its shape packed by `ItemRangeSQL.shape(of:)`.
        case range(UInt16)
    }

    var shape: Shape
    /// The table's storage id (`TableDefinition.storageID`).
    var storageID: Int64
    /// The index number, or -1 for the table's own rows.
    var index: Int64

    init(_ shape: Shape, table: TableDefinition, index: IndexDefinition? = nil) {
        self.init(shape, storageID: table.storageID, index: index)
    }

    init(_ shape: Shape, storageID: Int64, index: IndexDefinition? = nil) {
        self.shape = shape
        self.storageID = storageID
        self.index = index?.number ?? -1
    }
}
