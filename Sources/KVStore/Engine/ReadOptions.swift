/// `Select`: what a Query or Scan returns.
public enum Select: String, Sendable, CaseIterable {
    case allAttributes = "ALL_ATTRIBUTES"
    case allProjectedAttributes = "ALL_PROJECTED_ATTRIBUTES"
    case specificAttributes = "SPECIFIC_ATTRIBUTES"
    case count = "COUNT"
}

/// What Query and Scan share: the index to read, the filter, the projection and paging.
/// Expressions arrive as closures so the engine's read loop stays independent of their syntax.
public struct ReadOptions: Sendable {
    public var indexName: String?
    /// Applied after an item is read (FilterExpression / QueryFilter / ScanFilter); false drops it.
    public var filter: (@Sendable (Item) -> Bool)?
    /// Shapes a returned item (ProjectionExpression / AttributesToGet).
    public var projection: (@Sendable (Item) -> Item)?
    /// The top-level attributes the projection reads; decides whether a local index must fetch from the table.
    public var projectedAttributes: Set<String>?
    public var select: Select?
    public var limit: Int?
    public var exclusiveStartKey: Item?
    public var consistentRead: Bool
    /// Return the items in `ReadPage.storedItems`, as stored, when the read itself does not need
    /// them decoded (no filter, no projection, no fetch from the table); `items` is then empty.
    public var returnsStoredItems: Bool

    public init(
        indexName: String? = nil, filter: (@Sendable (Item) -> Bool)? = nil,
        projection: (@Sendable (Item) -> Item)? = nil, projectedAttributes: Set<String>? = nil,
        select: Select? = nil, limit: Int? = nil, exclusiveStartKey: Item? = nil, consistentRead: Bool = false,
        returnsStoredItems: Bool = false
    ) {
        self.indexName = indexName
        self.filter = filter
        self.projection = projection
        self.projectedAttributes = projectedAttributes
        self.select = select
        self.limit = limit
        self.exclusiveStartKey = exclusiveStartKey
        self.consistentRead = consistentRead
        self.returnsStoredItems = returnsStoredItems
    }
}

/// One page of a Query or Scan.
public struct ReadPage: Sendable {
    /// The returned items, decoded; empty when they are in `storedItems`.
    public var items: [Item] = []
    /// The returned items as stored, when the request asked for that and nothing decoded them
    /// (see `ReadOptions.returnsStoredItems`).
    public var storedItems = StoredItems()
    /// Items that passed the filter.
    public var count = 0
    /// Items read before the filter.
    public var scannedCount = 0
    public var lastEvaluatedKey: Item?
    /// Bytes read, for capacity accounting.
    public var bytesRead = 0
    /// The read units `bytesRead` cost, on the table or the index read.
    public var consumedCapacity: ConsumedCapacity?
}
