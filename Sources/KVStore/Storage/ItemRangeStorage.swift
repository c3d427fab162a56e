/// The range-read part of the item storage port: what a Query or Scan page walks. The SQLite
/// adapter (`ItemStore`) implements it; the external backend seam does not carry it yet, so
/// Query and Scan refuse on external backends (docs/postgres-backend.md). Kept apart from
/// `ItemStorage` because its rows are an associated type, which the seam's existential item
/// storage cannot name.
protocol ItemRangeStorage: ItemStorage {
    /// The rows of a range read (`ItemRange`).
    associatedtype Rows: ItemRows

    /// Range read of a table or one of its indexes: calls `body` with the rows of `range`, in
    /// its order, positioned before the first. The rows are valid only inside `body` (and only
    /// on this transaction); `body` reads as many as it wants.
    func withRows<R>(in range: ItemRange, _ body: (inout Rows) throws -> R) throws -> R
}
