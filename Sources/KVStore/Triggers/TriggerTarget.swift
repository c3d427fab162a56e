/// A batch of one shard's records for one mapping.
public struct TriggerBatch: Sendable {
    public var mapping: EventSourceMapping
    public var shardID: String
    public var records: [StreamRecord]
    /// With `TumblingWindowInSeconds`: the window the records belong to and its state so far.
    public var window: TumblingWindow? = nil
}

/// A tumbling window of a shard: records are grouped by creation time into windows of
/// `TumblingWindowInSeconds`, aligned on multiples of it; the function's returned `state` is
/// handed to its next call in the same window, and a last call with `isFinalInvokeForWindow`
/// closes the window. See https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html
public struct TumblingWindow: Sendable, Equatable {
    /// Seconds since 1970.
    public var start: Double
    public var end: Double
    /// The `state` object the function returned last in this window (JSON), nil at first.
    public var state: [UInt8]?
    public var isFinal: Bool

    /// The window holding a record created at `created`.
    public static func containing(_ created: Double, length: Int) -> TumblingWindow {
        let size = Double(max(length, 1))
        let start = (created / size).rounded(.down) * size
        return TumblingWindow(start: start, end: start + size, state: nil, isFinal: false)
    }
}

/// What a target answered: the outcome, and the window state the function returned.
public struct TargetAnswer: Sendable, Equatable {
    public var outcome: InvocationOutcome
    public var state: [UInt8]?

    public init(_ outcome: InvocationOutcome, state: [UInt8]? = nil) {
        self.outcome = outcome
        self.state = state
    }
}

/// Delivers batches somewhere (an HTTP endpoint, the Lambda Invoke API, a command). Implemented
/// by the server, which knows the wire formats; the engine only runs the delivery policy.
public protocol TriggerTarget: Sendable {
    /// Sends a batch and says how it went. Must not throw: every failure is an outcome.
    func invoke(_ batch: TriggerBatch) async -> TargetAnswer
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
