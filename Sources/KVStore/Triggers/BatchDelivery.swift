/// One record of a batch as the delivery policy sees it.
public struct PendingRecord: Sendable, Equatable {
    public var sequence: Int64
    /// `ApproximateCreationDateTime`, seconds since 1970.
    public var created: Double

    public init(sequence: Int64, created: Double) {
        self.sequence = sequence
        self.created = created
    }
}

/// What a target answered for one invocation.
public enum InvocationOutcome: Sendable, Equatable {
    case success
    /// The whole batch failed (an error, a timeout, a non-2xx answer, a bad partial response).
    case failure(String)
    /// `ReportBatchItemFailures`: the records from this sequence number on are to be retried.
    case partialFailure(firstFailed: Int64)
}

/// Why records were given up on (the `condition` of Lambda's on-failure record).
public enum DiscardReason: String, Sendable, Equatable {
    case retryAttemptsExhausted = "RetryAttemptsExhausted"
    case recordAgeExceeded = "RecordAgeExceeded"
}

/// The delivery of one batch: a value-type state machine over an injected clock, so the retry
/// rules are tested without I/O. The shell (`ShardPoller`) asks `next(now:)` what to do, does
/// it, and reports invocation results with `complete(_:now:)`.
///
/// Lambda's rules for stream sources
/// (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html,
/// https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html):
/// - the records are sent in order; a success checkpoints the end of what was sent;
/// - a failure retries the same records with exponential backoff until `MaximumRetryAttempts`
///   retries have failed or the oldest record is older than `MaximumRecordAgeInSeconds`; then
///   the records go to the on-failure destination and are skipped;
/// - `BisectBatchOnFunctionError` splits a failed batch in two and sends the halves one after
///   the other (a split is not a retry; each half has its own retry count);
/// - a partial failure (`batchItemFailures`) checkpoints the records before the lowest failed
///   sequence number and retries from it; a partial answer naming the first record, or a
///   sequence number not in the batch, is a failure of the whole batch.
public struct BatchDelivery: Sendable {
    public enum Action: Sendable, Equatable {
        /// Send these records (indexes into the batch).
        case invoke(Range<Int>)
        /// Nothing to do before this time.
        case wait(until: Double)
        /// Give these records up: send them to the on-failure destination, then checkpoint them.
        case discard(Range<Int>, reason: DiscardReason, invocations: Int)
        /// Checkpoint every record up to and including this index.
        case acknowledge(through: Int)
        case done
    }

    public let records: [PendingRecord]
    public let policy: RetryPolicy
    /// Record ranges still to deliver, in order.
    private(set) var segments: [Range<Int>]
    /// Failed invocations of the first segment that count against `maximumRetryAttempts`.
    private(set) var retries = 0
    /// Invocations of the first segment so far (`approximateInvokeCount`).
    private var invocations = 0
    private var notBefore: Double = 0
    private var queued: [Action] = []

    public init(records: [PendingRecord], policy: RetryPolicy) {
        self.records = records
        self.policy = policy
        self.segments = records.isEmpty ? [] : [0..<records.count]
    }

    /// What to do now.
    public mutating func next(now: Double) -> Action {
        if !queued.isEmpty { return queued.removeFirst() }
        guard let segment = segments.first else { return .done }
        // Records past their maximum age are never sent (they are in order, oldest first).
        var expired = segment.lowerBound
        while expired < segment.upperBound, policy.isExpired(created: records[expired].created, now: now) {
            expired += 1
        }
        if expired > segment.lowerBound {
            let gone = segment.lowerBound..<expired
            replaceFirst(with: expired..<segment.upperBound)
            return .discard(gone, reason: .recordAgeExceeded, invocations: invocations)
        }
        if now < notBefore { return .wait(until: notBefore) }
        return .invoke(segment)
    }

    /// Reports the result of the last `.invoke`.
    public mutating func complete(_ outcome: InvocationOutcome, now: Double) {
        guard let segment = segments.first else { return }
        invocations += 1
        switch outcome {
        case .success:
            queued.append(.acknowledge(through: segment.upperBound - 1))
            segments.removeFirst()
            startSegment()
        case .failure:
            failed(segment, now: now, mayBisect: true)
        case .partialFailure(let sequence):
            guard let index = segment.first(where: { records[$0].sequence == sequence }), index > segment.lowerBound else {
                failed(segment, now: now, mayBisect: true)
                return
            }
            // The batch is split at the failed record: what came before it is done.
            queued.append(.acknowledge(through: index - 1))
            segments[0] = index..<segment.upperBound
            failed(segments[0], now: now, mayBisect: false)
        }
    }

    private mutating func failed(_ segment: Range<Int>, now: Double, mayBisect: Bool) {
        if mayBisect && policy.bisectOnError && segment.count > 1 {
            let middle = segment.lowerBound + segment.count / 2
            segments.replaceSubrange(0..<1, with: [segment.lowerBound..<middle, middle..<segment.upperBound])
            startSegment()
            return
        }
        if policy.retriesExhausted(retries) {
            queued.append(.discard(segment, reason: .retryAttemptsExhausted, invocations: invocations))
            queued.append(.acknowledge(through: segment.upperBound - 1))
            segments.removeFirst()
            startSegment()
            return
        }
        retries += 1
        notBefore = now + policy.backoff(beforeRetry: retries)
    }

    private mutating func replaceFirst(with rest: Range<Int>) {
        queued.append(.acknowledge(through: rest.lowerBound - 1))
        if rest.isEmpty {
            segments.removeFirst()
            startSegment()
        } else {
            segments[0] = rest
        }
    }

    private mutating func startSegment() {
        retries = 0
        invocations = 0
        notBefore = 0
    }
}
