/// One row of an external backend's range read (`ExternalItemStorage.rows(in:limit:)`).
public struct ExternalRangeRow: Sendable {
    /// The row's place in its source's key order: the partition's hash and bytes and the sort
    /// bytes (a table's key, or an index row's index key), and for an index row the table's key
    /// (`tablePartition`, `tableSort`). The next batch starts after it; an index row's table
    /// key also finds its item (a local index whose projection lacks what a request wants).
    public var position: RangePosition
    /// The row's DynamoDB size: its item's, or for an index row its projection's.
    public var size: Int
    /// The item as stored (`ItemCodec`); for an index row the projected item, with every key
    /// attribute of the table and the index.
    public var item: [UInt8]

    public init(position: RangePosition, size: Int, item: [UInt8]) {
        self.position = position
        self.size = size
        self.item = item
    }
}

/// The rows of a range read on an external backend, as the page reader walks them
/// (`ItemRows`): fetched in batches through `ExternalItemStorage.rows(in:limit:)`, each batch
/// starting after the previous one's last row, so a page reads what it uses (a little more at
/// most) and never the whole table.
///
/// Batches grow from `firstBatch` rows to `maximumBatch`: a small Query answers in one round
/// trip, a Scan page of small items (up to 1 MB) in a few. A request's `Limit` bounds the rows
/// asked for in all, and the rows' sizes so far bound the next batch to about what is left of
/// the 1 MB a page reads (`ReadSource.pageLimit`): the page reader stops at either.
struct ExternalItemRows: ItemRows {
    static let firstBatch = 100
    static let maximumBatch = 1000

    private let store: any ExternalItemStorage
    private var range: ItemRange
    /// Rows the reader may still want (the request's `Limit` minus rows fetched); nil: no bound.
    private var wanted: Int?
    private var batch: [ExternalRangeRow] = []
    private var current = -1
    private var exhausted = false
    private var batchSize = firstBatch
    /// Rows fetched so far and their sizes: the average row size estimates what the page still reads.
    private var fetchedRows = 0
    private var fetchedBytes = 0

    init(store: any ExternalItemStorage, range: ItemRange, limit: Int?) {
        self.store = store
        self.range = range
        // The reader reads at least one row before it checks `Limit`.
        self.wanted = limit.map { max($0, 1) }
    }

    mutating func next() throws -> Bool {
        if current + 1 < batch.count {
            current += 1
            return true
        }
        guard !exhausted else { return false }
        var size = min(batchSize, wanted ?? .max)
        if fetchedRows > 0, fetchedBytes < ReadSource.pageLimit {
            // One more than the rows of average size that fill the page's remaining bytes.
            let average = max(fetchedBytes / fetchedRows, 1)
            size = min(size, (ReadSource.pageLimit - fetchedBytes) / average + 1)
        }
        guard size > 0 else {
            exhausted = true
            return false
        }
        if let last = batch.last { range.start = last.position }
        let rows = try store.rows(in: range, limit: size)
        guard rows.count <= size else {
            throw KVError.internalError("a range read returned more rows than asked for")
        }
        exhausted = rows.count < size
        wanted = wanted.map { $0 - rows.count }
        fetchedRows += rows.count
        for row in rows { fetchedBytes &+= row.size }
        batchSize = min(batchSize * 2, Self.maximumBatch)
        batch = rows
        current = 0
        return !rows.isEmpty
    }

    var size: Int { batch[current].size }

    func withItemBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try batch[current].item.withUnsafeBufferPointer(body)
    }

    var tableKey: StorageKey {
        let position = batch[current].position
        return StorageKey(
            hash: PartitionHash.of(position.tablePartition), partition: position.tablePartition, sort: position.tableSort)
    }
}

extension ExternalItems: ItemRangeStorage {
    /// A range read through the backend's batches (`ExternalItemRows`).
    func withRows<R>(in range: ItemRange, _ body: (inout ExternalItemRows) throws -> R) throws -> R {
        var rows = ExternalItemRows(store: base, range: range, limit: rowLimit)
        return try body(&rows)
    }
}
