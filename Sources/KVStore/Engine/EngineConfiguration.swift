/// How the engine stores its data and runs its background work.
public struct EngineConfiguration: Sendable {
    /// A directory holding the SQLite file, or nil to keep everything in memory.
    public var dataDirectory: String?
    /// SQLite `synchronous` level: `.normal` survives a process crash, `.full` also power loss.
    public var durability: Durability
    public var streams: StreamSettings
    /// Seconds between TTL sweeps (DynamoDB takes up to days; a test double must be quick).
    public var ttlInterval: Double
    /// Where on-demand backups go (`--backup-dir`); nil: `<dataDirectory>/backups`, or inside
    /// the in-memory database's directory.
    public var backupDirectory: String?
    /// Where ExportTableToPointInTime writes and ImportTable reads (`--export-dir`); nil:
    /// `<dataDirectory>/exports`, or inside the in-memory database's directory.
    public var exportDirectory: String?
    /// Bytes an item collection of a table with local secondary indexes may hold (DynamoDB: 10 GB).
    public var itemCollectionLimit: Int64 = defaultItemCollectionLimit
    public static let defaultItemCollectionLimit: Int64 = 10 * 1024 * 1024 * 1024
    /// WAL checkpointing and truncation, and the disk-full reserve (file mode).
    public var storage = StorageSettings()
    /// Reports group commits and TTL deletions (the server's metrics); none by default.
    public var observers = EngineObservers()

    public enum Durability: String, Sendable, CaseIterable {
        case normal
        case full
    }

    public init(
        dataDirectory: String?, durability: Durability = .normal, streams: StreamSettings = StreamSettings(),
        ttlInterval: Double = 1
    ) {
        self.dataDirectory = dataDirectory
        self.durability = durability
        self.streams = streams
        self.ttlInterval = ttlInterval
    }
}
