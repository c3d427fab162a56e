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

    public init(
        indexName: String? = nil, filter: (@Sendable (Item) -> Bool)? = nil,
        projection: (@Sendable (Item) -> Item)? = nil, projectedAttributes: Set<String>? = nil,
        select: Select? = nil, limit: Int? = nil, exclusiveStartKey: Item? = nil, consistentRead: Bool = false
    ) {
        self.indexName = indexName
        self.filter = filter
        self.projection = projection
        self.projectedAttributes = projectedAttributes
        self.select = select
        self.limit = limit
        self.exclusiveStartKey = exclusiveStartKey
        self.consistentRead = consistentRead
    }
}

/// One page of a Query or Scan.
public struct ReadPage: Sendable {
    public var items: [Item]
    /// Items that passed the filter.
    public var count: Int
    /// Items read before the filter.
    public var scannedCount: Int
    public var lastEvaluatedKey: Item?
    /// Bytes read, for capacity accounting.
    public var bytesRead: Int
    /// The read units `bytesRead` cost, on the table or the index read.
    public var consumedCapacity: ConsumedCapacity?
}
