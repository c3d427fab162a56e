/// How a failed batch is retried: Lambda's stream error handling.
/// See https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
public struct RetryPolicy: Sendable, Equatable {
    /// -1: unlimited (until the records expire).
    public var maximumRetryAttempts: Int
    /// Seconds; negative: unlimited.
    public var maximumRecordAge: Double
    public var bisectOnError: Bool
    /// The first retry waits this long; each next one twice as long, up to `maximumBackoff`.
    public var initialBackoff: Double
    public var maximumBackoff: Double

    public init(
        maximumRetryAttempts: Int = -1, maximumRecordAge: Double = -1, bisectOnError: Bool = false,
        initialBackoff: Double = 0.5, maximumBackoff: Double = 60
    ) {
        self.maximumRetryAttempts = maximumRetryAttempts
        self.maximumRecordAge = maximumRecordAge
        self.bisectOnError = bisectOnError
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    /// The wait before retry number `retry` (1 = first retry): exponential, capped.
    public func backoff(beforeRetry retry: Int) -> Double {
        let exponent = min(max(retry - 1, 0), 30)
        return min(initialBackoff * Double(1 << exponent), maximumBackoff)
    }

    /// True when a record created at `created` is too old to be sent at `now`.
    public func isExpired(created: Double, now: Double) -> Bool {
        maximumRecordAge >= 0 && now - created > maximumRecordAge
    }

    public func retriesExhausted(_ retries: Int) -> Bool {
        maximumRetryAttempts >= 0 && retries >= maximumRetryAttempts
    }
}
