import Testing

@testable import KVStore

/// Lambda's stream error handling as a state machine, driven by scripted invocation results.
/// See https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html and
/// https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
@Suite struct BatchDeliveryTests {
    /// A scripted target: fails every invocation that contains a record in `bad` (with a partial
    /// answer naming the first bad record when `partial`), succeeds otherwise.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var count: Int
        var policy: RetryPolicy
        var bad: Set<Int64> = []
        var partial = false
        /// Invocations that fail before the target starts answering by `bad` (transient errors).
        var transientFailures = 0
        var expected: [String]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "success acknowledges the whole batch", count: 3, policy: RetryPolicy(),
            expected: ["invoke 1-3", "ack 3", "done"]),
        Case(
            name: "a transient error is retried with backoff", count: 2, policy: RetryPolicy(initialBackoff: 1),
            transientFailures: 2,
            expected: ["invoke 1-2", "wait 1.0", "invoke 1-2", "wait 2.0", "invoke 1-2", "ack 2", "done"]),
        Case(
            name: "retries exhausted: discarded and skipped", count: 2,
            policy: RetryPolicy(maximumRetryAttempts: 1, initialBackoff: 1), bad: [2],
            expected: ["invoke 1-2", "wait 1.0", "invoke 1-2", "discard 1-2 RetryAttemptsExhausted x2", "ack 2", "done"]),
        Case(
            name: "zero retries: one attempt only", count: 1, policy: RetryPolicy(maximumRetryAttempts: 0), bad: [1],
            expected: ["invoke 1-1", "discard 1-1 RetryAttemptsExhausted x1", "ack 1", "done"]),
        Case(
            name: "bisection isolates the bad record", count: 4,
            policy: RetryPolicy(maximumRetryAttempts: 0, bisectOnError: true), bad: [3],
            expected: [
                "invoke 1-4", "invoke 1-2", "ack 2", "invoke 3-4", "invoke 3-3",
                "discard 3-3 RetryAttemptsExhausted x1", "ack 3", "invoke 4-4", "ack 4", "done",
            ]),
        Case(
            name: "partial failure checkpoints before the failed record and retries from it", count: 4,
            policy: RetryPolicy(maximumRetryAttempts: 1, initialBackoff: 1), bad: [3], partial: true,
            expected: [
                "invoke 1-4", "ack 2", "wait 1.0", "invoke 3-4", "discard 3-4 RetryAttemptsExhausted x2", "ack 4", "done",
            ]),
        Case(
            name: "partial failure naming the first record is a whole-batch failure", count: 2,
            policy: RetryPolicy(maximumRetryAttempts: 0), bad: [1], partial: true,
            expected: ["invoke 1-2", "discard 1-2 RetryAttemptsExhausted x1", "ack 2", "done"]),
        Case(
            name: "partial failure with bisection splits at the failed record, not in halves", count: 4,
            policy: RetryPolicy(maximumRetryAttempts: 0, bisectOnError: true), bad: [2], partial: true,
            expected: [
                "invoke 1-4", "ack 1", "discard 2-4 RetryAttemptsExhausted x1", "ack 4", "done",
            ]),
    ]

    @Test(arguments: cases) func deliversAsLambdaDoes(_ testCase: Case) {
        let records = (1...testCase.count).map { PendingRecord(sequence: Int64($0), created: 0) }
        var delivery = BatchDelivery(records: records, policy: testCase.policy)
        var now = 0.0
        var transient = testCase.transientFailures
        var trace: [String] = []
        func label(_ range: Range<Int>) -> String {
            "\(records[range.lowerBound].sequence)-\(records[range.upperBound - 1].sequence)"
        }
        loop: for _ in 0..<100 {
            let action = delivery.next(now: now)
            switch action {
            case .done:
                trace.append("done")
                break loop
            case .wait(let until):
                trace.append("wait \(until - now)")
                now = until
            case .invoke(let range):
                trace.append("invoke \(label(range))")
                let firstBad = range.first { testCase.bad.contains(records[$0].sequence) }
                if transient > 0 {
                    transient -= 1
                    delivery.complete(.failure("transient"), now: now)
                } else if let firstBad {
                    delivery.complete(
                        testCase.partial ? .partialFailure(firstFailed: records[firstBad].sequence) : .failure("bad"), now: now)
                } else {
                    delivery.complete(.success, now: now)
                }
            case .discard(let range, let reason, let invocations):
                trace.append("discard \(label(range)) \(reason.rawValue) x\(invocations)")
            case .acknowledge(let index):
                trace.append("ack \(records[index].sequence)")
            }
        }
        #expect(trace == testCase.expected)
    }

    @Test func expiredRecordsAreDiscardedBeforeSending() {
        let records = [PendingRecord(sequence: 1, created: 0), PendingRecord(sequence: 2, created: 50)]
        var delivery = BatchDelivery(records: records, policy: RetryPolicy(maximumRecordAge: 60))
        #expect(delivery.next(now: 100) == .discard(0..<1, reason: .recordAgeExceeded, invocations: 0))
        #expect(delivery.next(now: 100) == .acknowledge(through: 0))
        #expect(delivery.next(now: 100) == .invoke(1..<2))
        delivery.complete(.success, now: 100)
        #expect(delivery.next(now: 100) == .acknowledge(through: 1))
        #expect(delivery.next(now: 100) == .done)
    }

    @Test(arguments: [(1, 0.5), (2, 1.0), (3, 2.0), (8, 60.0), (100, 60.0)])
    func backoffDoublesUpToTheCap(retry: Int, seconds: Double) {
        #expect(RetryPolicy().backoff(beforeRetry: retry) == seconds)
    }
}
