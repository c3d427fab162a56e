/// One on-demand backup: what DescribeBackup and ListBackups show, and the source table as it
/// was when the snapshot was taken. Stored as `<id>.json` beside its items (`BackupStore`):
/// fields may be added (optional when decoding), never renamed.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BackupDetails.html
public struct BackupRecord: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        case creating = "CREATING"
        case available = "AVAILABLE"
        case deleted = "DELETED"
    }

    /// `BackupType`: we only take USER backups (SYSTEM and AWS_BACKUP come from AWS services).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case user = "USER"
        case system = "SYSTEM"
        case awsBackup = "AWS_BACKUP"
    }

    /// The last part of the BackupArn: creation milliseconds (13 digits), a dash, 8 hex digits,
    /// as DynamoDB's `table/<name>/backup/01489602797149-73d8d5bc`.
    public var id: String
    public var name: String
    public var status: Status
    public var kind: Kind
    public var creationDate: Double
    /// The DynamoDB size of the items (`BackupSizeBytes`).
    public var sizeBytes: Int64
    public var itemCount: Int64
    /// The source table as of the snapshot: keys, indexes, billing, stream and TTL settings.
    public var table: TableDefinition

    public init(
        id: String, name: String, status: Status, kind: Kind, creationDate: Double, sizeBytes: Int64,
        itemCount: Int64, table: TableDefinition
    ) {
        self.id = id
        self.name = name
        self.status = status
        self.kind = kind
        self.creationDate = creationDate
        self.sizeBytes = sizeBytes
        self.itemCount = itemCount
        self.table = table
    }
}
