/// A table as DescribeTable shows it: its definition plus live status and statistics.
public struct TableDescription: Sendable {
    public enum Status: String, Sendable {
        case creating = "CREATING"
        case active = "ACTIVE"
        case deleting = "DELETING"
        case updating = "UPDATING"
    }

    /// Item count and size of one secondary index.
    public struct IndexStatistics: Sendable {
        public var itemCount: Int64
        public var sizeBytes: Int64
    }

    public var definition: TableDefinition
    public var status: Status
    public var itemCount: Int64
    public var sizeBytes: Int64
    /// Keyed by index name.
    public var indexStatistics: [String: IndexStatistics]

    public init(
        definition: TableDefinition, status: Status, itemCount: Int64, sizeBytes: Int64,
        indexStatistics: [String: IndexStatistics] = [:]
    ) {
        self.definition = definition
        self.status = status
        self.itemCount = itemCount
        self.sizeBytes = sizeBytes
        self.indexStatistics = indexStatistics
    }
}
