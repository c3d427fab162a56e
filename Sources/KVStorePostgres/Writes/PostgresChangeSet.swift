/// One item's change set, as the engine's write pipeline computed it: everything that changes
/// with the item, written together in its transaction (`PostgresBlockingTransaction.commit`) so
/// that the item, its index rows, its TTL expiry row, its stream record and a TransactWriteItems
/// token never disagree.
public struct PostgresChangeSet: Sendable, Equatable {
    public var key: RowKey
    /// The item as read (and locked) in this transaction, nil when absent.
    public var old: ItemRow?
    /// `.keep` writes nothing at all (a failed condition): the other fields are ignored.
    public var write: ItemWrite
    /// Index rows to delete and to write (the engine diffs the old and new items' index keys).
    public var indexRows: [IndexRowChange]
    /// The item's TTL expiry second before and after (nil: none); unchanged: no expiry write.
    public var expiry: ExpiryChange?
    /// The stream record of the change, when the table has a stream.
    public var stream: StreamAppend?

    public init(
        key: RowKey, old: ItemRow?, write: ItemWrite, indexRows: [IndexRowChange] = [],
        expiry: ExpiryChange? = nil, stream: StreamAppend? = nil
    ) {
        self.key = key
        self.old = old
        self.write = write
        self.indexRows = indexRows
        self.expiry = expiry
        self.stream = stream
    }
}

/// One secondary index row's change.
public enum IndexRowChange: Sendable, Equatable {
    case put(IndexRowKey, ItemRow)
    case delete(IndexRowKey)
}

/// An item's TTL expiry second, before and after the write.
public struct ExpiryChange: Sendable, Equatable {
    public var from: Int64?
    public var to: Int64?

    public init(from: Int64?, to: Int64?) {
        self.from = from
        self.to = to
    }
}

/// A stream record and the shard it goes to (one of the stream's open shards).
public struct StreamAppend: Sendable, Equatable {
    public var streamID: Int64
    public var shard: Int32
    public var record: StreamRecordData

    public init(streamID: Int64, shard: Int32, record: StreamRecordData) {
        self.streamID = streamID
        self.shard = shard
        self.record = record
    }
}
