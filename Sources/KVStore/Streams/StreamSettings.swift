/// Durations of the change stream machinery; DynamoDB's values by default, shorter in tests.
public struct StreamSettings: Sendable, Equatable {
    public static let defaultShardRollover: Double = 4 * 3600

    /// How long records are kept (DynamoDB: 24 hours).
    public var retention: Double
    /// How long a shard stays open before a child shard replaces it (DynamoDB: about 4 hours).
    public var shardRollover: Double
    /// How long a shard iterator stays valid (DynamoDB: 15 minutes).
    public var iteratorLifetime: Double

    public init(retention: Double = 24 * 3600, shardRollover: Double = defaultShardRollover, iteratorLifetime: Double = 15 * 60) {
        self.retention = retention
        self.shardRollover = shardRollover
        self.iteratorLifetime = iteratorLifetime
    }
}
