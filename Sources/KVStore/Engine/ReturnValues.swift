/// What a write sends back (`ReturnValues`).
public enum ReturnValues: String, Sendable, CaseIterable {
    case none = "NONE"
    case allOld = "ALL_OLD"
    case updatedOld = "UPDATED_OLD"
    case allNew = "ALL_NEW"
    case updatedNew = "UPDATED_NEW"
}

/// The outcome of a single-item write: the attributes `ReturnValues` asked for, if any.
public struct WriteResult: Sendable {
    public var attributes: Item?
    /// The capacity the write consumed on the table and its indexes.
    public var consumedCapacity: ConsumedCapacity?
    /// `ReturnItemCollectionMetrics=SIZE` on a table with local secondary indexes.
    public var itemCollection: ItemCollectionMetrics?

    public init(attributes: Item?, consumedCapacity: ConsumedCapacity? = nil, itemCollection: ItemCollectionMetrics? = nil) {
        self.attributes = attributes
        self.consumedCapacity = consumedCapacity
        self.itemCollection = itemCollection
    }
}

/// The item collection (all items sharing a partition key value, with their local index
/// rows) a write touched, as `ItemCollectionMetrics` reports it.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html
public struct ItemCollectionMetrics: Sendable {
    /// The partition key attribute and its value.
    public var key: Item
    /// Bytes of the collection: its items plus their local secondary index rows.
    public var sizeBytes: Int64

    public init(key: Item, sizeBytes: Int64) {
        self.key = key
        self.sizeBytes = sizeBytes
    }

    /// DynamoDB's `SizeEstimateRangeGB`: whole gigabytes below and above the size.
    public var sizeEstimateRangeGB: (Double, Double) {
        let gigabytes = Double(sizeBytes) / 1_073_741_824
        let lower = gigabytes.rounded(.down)
        return (lower, lower + 1)
    }
}
