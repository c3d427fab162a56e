/// A batch of one shard's records for one mapping.
public struct TriggerBatch: Sendable {
    public var mapping: EventSourceMapping
    public var shardID: String
    public var records: [StreamRecord]
}

/// Delivers batches somewhere (an HTTP endpoint, the Lambda Invoke API, a command). Implemented
/// by the server, which knows the wire formats; the engine only runs the delivery policy.
public protocol TriggerTarget: Sendable {
    /// Sends a batch and says how it went. Must not throw: every failure is an outcome.
    func invoke(_ batch: TriggerBatch) async -> InvocationOutcome
    /// Sends the records given up on to the mapping's on-failure destination, if it has one.
    func discard(_ batch: TriggerBatch, reason: DiscardReason, invocations: Int) async
}

/// What GetEventSourceMapping and `kvctl trigger status` show about a running mapping.
public struct TriggerStatus: Sendable, Equatable {
    /// Lambda's `LastProcessingResult`: "No records processed", "OK" or "PROBLEM: ...".
    public var lastProcessingResult = "No records processed"
    public var deliveredRecords = 0
    public var failedInvocations = 0
    public var discardedRecords = 0
    /// Seconds between the last sent record's creation and its delivery.
    public var iteratorAgeSeconds: Double = 0

    public init() {}
}

extension StreamRecord {
    /// The record's sequence number as a number.
    public var sequence: Int64 { StreamCodec.sequence(from: sequenceNumber) ?? 0 }
}

/// Sequence numbers as text (for `itemIdentifier`s).
public enum TriggerSequence {
    public static func parse(_ text: String) -> Int64? { StreamCodec.sequence(from: text) }
}
