/// A table as DescribeTable shows it: its definition plus live status and statistics.
public struct TableDescription: Sendable {
    public enum Status: String, Sendable {
        case creating = "CREATING"
        case active = "ACTIVE"
        case deleting = "DELETING"
        case updating = "UPDATING"
    }

    public var definition: TableDefinition
    public var status: Status
    public var itemCount: Int64
    public var sizeBytes: Int64

    public init(definition: TableDefinition, status: Status, itemCount: Int64, sizeBytes: Int64) {
        self.definition = definition
        self.status = status
        self.itemCount = itemCount
        self.sizeBytes = sizeBytes
    }
}
