/// The rows of a range read (`ItemStorage.withRows(in:_:)`), walked one at a time in the
/// range's order: the read loop of Query and Scan (`PageReader`) pulls them, so it decides when
/// a page is full without the adapter knowing what a page is.
///
/// A row's item is lent as its stored bytes (`ItemCodec`), without a copy: a page that hands
/// items on as stored (`StoredItems`) copies each once, into the page.
protocol ItemRows {
    /// Moves to the next row; false when the range holds no more.
    mutating func next() throws -> Bool

    /// The current row's DynamoDB size: its item's, or for an index row its projection's.
    var size: Int { get }

    /// Calls `body` with the current row's item as stored (an index row: the projected item,
    /// with every key attribute). The bytes are valid only inside `body`.
    func withItemBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R

    /// The table key of the current index row, to fetch the table's item (a local index whose
    /// projection lacks attributes the request wants). Only for index rows.
    var tableKey: StorageKey { get }
}
