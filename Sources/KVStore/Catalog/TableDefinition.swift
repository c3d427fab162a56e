
/// A key attribute of a table or index: its name and scalar type.
public struct KeyAttribute: Sendable, Hashable, Codable {
    public var name: String
    public var type: ScalarType

    public init(name: String, type: ScalarType) {
        self.name = name
        self.type = type
    }
}

/// The primary key of a table or an index: a partition (HASH) key and an optional sort (RANGE) key.
///
/// A global secondary index may have multi-attribute keys (DynamoDB, November 2025): up to four
/// HASH and up to four RANGE attributes, in key schema order. The first of each is `partitionKey`
/// / `sortKey`; the others are in `additionalPartitionKeys` / `additionalSortKeys`, which are nil
/// for every ordinary key, so a catalog written before multi-attribute keys decodes unchanged and
/// an ordinary key encodes to the same JSON as before.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
public struct KeySchema: Sendable, Hashable, Codable {
    public var partitionKey: KeyAttribute
    public var sortKey: KeyAttribute?
    /// The HASH attributes after the first (a multi-attribute partition key), else nil.
    public var additionalPartitionKeys: [KeyAttribute]?
    /// The RANGE attributes after the first (a multi-attribute sort key), else nil.
    public var additionalSortKeys: [KeyAttribute]?

    public init(partitionKey: KeyAttribute, sortKey: KeyAttribute? = nil) {
        self.partitionKey = partitionKey
        self.sortKey = sortKey
    }

    /// A key of `partitionKeys` (at least one) and `sortKeys`, in key schema order.
    public init(partitionKeys: [KeyAttribute], sortKeys: [KeyAttribute]) {
        self.partitionKey = partitionKeys.first ?? KeyAttribute(name: "", type: .string)
        self.sortKey = sortKeys.first
        if partitionKeys.count > 1 { additionalPartitionKeys = Array(partitionKeys.dropFirst()) }
        if sortKeys.count > 1 { additionalSortKeys = Array(sortKeys.dropFirst()) }
    }

    /// True when the partition or the sort key has more than one attribute.
    public var isMultiAttribute: Bool { additionalPartitionKeys != nil || additionalSortKeys != nil }

    /// Every HASH attribute, in key schema order.
    public var partitionKeys: [KeyAttribute] { [partitionKey] + (additionalPartitionKeys ?? []) }

    /// Every RANGE attribute, in key schema order.
    public var sortKeys: [KeyAttribute] { (sortKey.map { [$0] } ?? []) + (additionalSortKeys ?? []) }

    /// Key attribute names, partition key first.
    public var attributeNames: [String] {
        guard isMultiAttribute else { return [partitionKey.name] + (sortKey.map { [$0.name] } ?? []) }
        return (partitionKeys + sortKeys).map(\.name)
    }

    public func contains(_ name: String) -> Bool {
        if partitionKey.name == name || sortKey?.name == name { return true }
        guard isMultiAttribute else { return false }
        return additionalPartitionKeys?.contains { $0.name == name } == true
            || additionalSortKeys?.contains { $0.name == name } == true
    }
}

public enum BillingMode: String, Sendable, Codable, Hashable {
    case provisioned = "PROVISIONED"
    case payPerRequest = "PAY_PER_REQUEST"
}

public struct ProvisionedThroughput: Sendable, Hashable, Codable {
    public var readCapacityUnits: Int64
    public var writeCapacityUnits: Int64

    public init(readCapacityUnits: Int64, writeCapacityUnits: Int64) {
        self.readCapacityUnits = readCapacityUnits
        self.writeCapacityUnits = writeCapacityUnits
    }
}

/// Everything the catalog remembers about a table. Stored as JSON in `kv_tables.definition`:
/// fields may be added (with defaults when decoding), never renamed.
public struct TableDefinition: Sendable, Hashable, Codable {
    public var name: String
    /// Suffix of the SQLite table holding the items (`t<storageID>`); never reused.
    public var storageID: Int64
    /// DynamoDB's TableId (a UUID).
    public var tableID: String
    public var keySchema: KeySchema
    /// AttributeDefinitions in the order the client gave them.
    public var attributeDefinitions: [KeyAttribute]
    public var billingMode: BillingMode
    /// Zero units for PAY_PER_REQUEST tables, as DynamoDB reports them.
    public var throughput: ProvisionedThroughput
    /// Seconds since 1970.
    public var creationDate: Double
    /// When the table last switched to (or was created with) PAY_PER_REQUEST.
    public var payPerRequestSince: Double?
    public var deletionProtection: Bool
    public var globalIndexes: [IndexDefinition] = []
    public var localIndexes: [IndexDefinition] = []
    /// The next `IndexDefinition.number` to hand out.
    public var nextIndexNumber: Int64 = 1
    /// Every stream the table has had that may still hold records; at most one is enabled.
    public var streams: [StreamDefinition] = []
    public var timeToLive: TimeToLiveDefinition?

    /// The stream new changes go to, if any.
    public var activeStream: StreamDefinition? { streams.last { $0.enabled } }
    /// The most recent stream, enabled or not (`LatestStreamArn`).
    public var latestStream: StreamDefinition? { streams.last }
    /// The TTL attribute when TTL is enabled.
    public var ttlAttribute: String? { timeToLive?.enabled == true ? timeToLive?.attributeName : nil }
    /// Tags (TagResource, CreateTable's `Tags`), in the order first set; nil in
    /// definitions written before tags existed.
    public var tags: [TableTag]?
    /// Point-in-time recovery (UpdateContinuousBackups); nil when never enabled.
    public var pointInTimeRecovery: PointInTimeRecoveryDefinition?
    /// Where the table was restored from (`RestoreSummary`), for a restored table.
    public var restoreSummary: RestoreSummary?
    /// The maximum throughput of an on-demand table (`OnDemandThroughput`); nil when never set.
    public var onDemandThroughput: OnDemandThroughput?

    /// True while ImportTable loads the table's items; nil otherwise (and in older definitions).
    public var importInProgress: Bool?

    /// CREATING: a restore or an import is still writing the table's items, and item
    /// operations do not see the table yet.
    public var isLoadingItems: Bool { restoreSummary?.inProgress == true || importInProgress == true }

    public var indexes: [IndexDefinition] { globalIndexes + localIndexes }

    public func index(named name: String) -> IndexDefinition? {
        indexes.first { $0.name == name }
    }

    public init(
        name: String, storageID: Int64, tableID: String, keySchema: KeySchema,
        attributeDefinitions: [KeyAttribute], billingMode: BillingMode,
        throughput: ProvisionedThroughput, creationDate: Double, payPerRequestSince: Double?,
        deletionProtection: Bool
    ) {
        self.name = name
        self.storageID = storageID
        self.tableID = tableID
        self.keySchema = keySchema
        self.attributeDefinitions = attributeDefinitions
        self.billingMode = billingMode
        self.throughput = throughput
        self.creationDate = creationDate
        self.payPerRequestSince = payPerRequestSince
        self.deletionProtection = deletionProtection
    }
}

/// A tag on a table: a key of 1...128 characters and a value of 0...256.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html
public struct TableTag: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
