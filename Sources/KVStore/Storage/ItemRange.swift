/// A range read of the item storage port (`ItemRangeStorage.withRows(in:_:)`, and for a backend
/// from another module `ExternalItemStorage.rows(in:limit:)`): which rows of one source a Query
/// or Scan page walks, in which direction and from where, as plain values. The engine builds it
/// from the request (Query's key condition, Scan's segment, the `ExclusiveStartKey`); the
/// adapter turns it into its own query (for SQLite, one cached statement) and walks the rows in
/// key order.
///
/// Key order is byte order of the stored keys (`KeyEncoding`, `CompositeKeyEncoding`): a table's
/// rows sort by (partition hash, partition bytes, sort bytes); an index's rows by (hash,
/// partition, sort, then the table's partition and sort bytes), so that index rows with equal
/// index keys keep one stable order, as DynamoDB's do.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
public struct ItemRange: Sendable {
    /// Whose rows: the table's items (nil) or this secondary index's rows.
    public var index: IndexDefinition?
    public var span: Span
    /// Rows strictly after this position in `order` (where the previous page stopped); nil
    /// starts at the first row of the span.
    public var start: RangePosition?
    public var order: KeyOrder

    public init(index: IndexDefinition?, span: Span, start: RangePosition?, order: KeyOrder) {
        self.index = index
        self.span = span
        self.start = start
        self.order = order
    }

    /// The rows a range covers.
    public enum Span: Sendable, Equatable {
        /// One partition (a Query): its hash and stored bytes, and the bounds on the sort key.
        /// Rows come in sort-key order (then table-key order for an index).
        case partition(hash: Int64, key: [UInt8], sort: SortKeyBounds)
        /// The rows whose partition hash is in `[low, high)` (a Scan segment), in full key order.
        case hashSlice(low: Int64, high: Int64)
    }

    /// A Query's range: one partition of the table or index, its sort key within `sort`.
    static func partition(
        _ key: [UInt8], sort: SortKeyBounds = .all, of index: IndexDefinition?, start: RangePosition? = nil,
        order: KeyOrder = .ascending
    ) -> ItemRange {
        ItemRange(index: index, span: .partition(hash: PartitionHash.of(key), key: key, sort: sort), start: start, order: order)
    }
}

/// The bounds on the stored sort key bytes of a Query's partition.
public enum SortKeyBounds: Sendable, Equatable {
    /// The whole partition.
    case all
    /// Exactly one sort key.
    case equal([UInt8])
    /// Between the bounds (nil: unbounded on that side).
    case range(lower: Bound?, upper: Bound?)

    public enum Bound: Sendable, Equatable {
        case inclusive([UInt8])
        case exclusive([UInt8])

        public var value: [UInt8] {
            switch self {
            case .inclusive(let value), .exclusive(let value): value
            }
        }
    }

    /// The sort keys starting with `prefix`: from the prefix itself up to (excluding) the
    /// smallest byte string above every extension of it, unbounded above when there is none
    /// (a prefix of only 0xFF bytes).
    public static func prefixed(by prefix: [UInt8]) -> SortKeyBounds {
        .range(lower: .inclusive(prefix), upper: prefixSuccessor(prefix).map(Bound.exclusive))
    }

    /// The smallest byte string greater than every string starting with `prefix`, or nil if there is none.
    public static func prefixSuccessor(_ prefix: [UInt8]) -> [UInt8]? {
        var bytes = prefix
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }
}

/// A row's place in its source's key order (an `ExclusiveStartKey`, encoded): the partition's
/// hash and bytes, the sort bytes, and for an index row the table key after them.
public struct RangePosition: Sendable, Equatable {
    public var hash: Int64
    public var partition: [UInt8]
    /// Empty when the source has no sort key.
    public var sort: [UInt8]
    /// The table's key of an index row (ignored for a table's own rows, where it is empty).
    public var tablePartition: [UInt8] = []
    public var tableSort: [UInt8] = []

    public init(hash: Int64, partition: [UInt8], sort: [UInt8], tablePartition: [UInt8] = [], tableSort: [UInt8] = []) {
        self.hash = hash
        self.partition = partition
        self.sort = sort
        self.tablePartition = tablePartition
        self.tableSort = tableSort
    }
}
