/// The range-read part of the item storage port: what a Query or Scan page walks. The SQLite
/// adapter (`ItemStore`) implements it with its statement's rows; an external backend's item
/// storage through `ExternalItems`, whose rows (`ExternalItemRows`) fetch batches from the
/// seam's `ExternalItemStorage.rows(in:limit:)`. Kept apart from `ItemStorage` because its rows
/// are an associated type, which the seam's existential item storage cannot name: the page
/// reader is generic over it, so SQLite's rows cost no existential.
protocol ItemRangeStorage: ItemStorage {
    /// The rows of a range read (`ItemRange`).
    associatedtype Rows: ItemRows

    /// Range read of a table or one of its indexes: calls `body` with the rows of `range`, in
    /// its order, positioned before the first. The rows are valid only inside `body` (and only
    /// on this transaction); `body` reads as many as it wants.
    func withRows<R>(in range: ItemRange, _ body: (inout Rows) throws -> R) throws -> R
}
