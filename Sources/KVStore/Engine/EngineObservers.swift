/// Callbacks through which the engine reports its own work to whoever watches it (the server's
/// metrics), so that the engine needs no metrics library. Each runs on an engine thread right
/// after the event: it must be quick and must not block or call back into the engine.
public struct EngineObservers: Sendable {
    /// A group commit finished: how many writes it committed and the seconds from `BEGIN` to the
    /// end of `COMMIT` (called on the writer thread).
    public var groupCommitted: (@Sendable (_ writes: Int, _ seconds: Double) -> Void)?
    /// The TTL sweeper deleted `count` expired items of a table (DynamoDB's
    /// `TimeToLiveDeletedItemCount`).
    public var timeToLiveDeleted: (@Sendable (_ table: String, _ count: Int) -> Void)?

    public init(
        groupCommitted: (@Sendable (_ writes: Int, _ seconds: Double) -> Void)? = nil,
        timeToLiveDeleted: (@Sendable (_ table: String, _ count: Int) -> Void)? = nil
    ) {
        self.groupCommitted = groupCommitted
        self.timeToLiveDeleted = timeToLiveDeleted
    }
}
