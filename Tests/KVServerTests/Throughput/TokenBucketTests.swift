import Testing

@testable import KVServer

/// DynamoDB's burst rules, with time passed in (a fake clock).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html#burst-capacity
/// ("DynamoDB currently retains up to five minutes (300 seconds) of unused read and write capacity")
/// and the worked example of https://repost.aws/knowledge-center/dynamodb-spiky-workloads-short-intervals
/// (150 RCU idle for five minutes hold 45,000 units; 200 RCU/s then last 900 s).
@Suite struct TokenBucketTests {
    @Test func anIdleBucketHoldsThreeHundredSecondsOfCapacity() {
        var bucket = TokenBucket(rate: 150, now: 0, tokens: 0)
        bucket.refill(at: 300)
        #expect(bucket.tokens == 45_000)
        bucket.refill(at: 10_000)
        #expect(bucket.tokens == 45_000)  // no more than five minutes' worth
    }

    @Test func burstCarriesTwoHundredUnitsASecondForFifteenMinutes() {
        // 150 RCU provisioned, 45,000 units of burst, 200 units consumed each second.
        var bucket = TokenBucket(rate: 150, now: 0)
        var second = 0.0
        var served = 0
        while bucket.admits(at: second) {
            bucket.debit(200, at: second)
            served += 1
            second += 1
        }
        // 45,000 / (200 - 150) = 900 seconds (the last of them takes the bucket below zero).
        #expect(served == 900)
    }

    @Test(arguments: [
        // (rate, tokens at start, seconds idle, units debited, admitted before, admitted after)
        (1.0, 0.0, 0.0, 0.0, false, false),  // empty: throttled
        (1.0, 0.0, 0.5, 0.0, true, true),  // half a unit accrued: a request may start
        (1.0, 1.0, 0.0, 5.0, true, false),  // one unit left lets a 5-unit write through, then -4
        (5.0, -4.0, 0.5, 0.0, false, false),  // -4 + 2.5 is still below zero
        (5.0, -4.0, 1.0, 0.0, true, true),  // -4 + 5 > 0
        (0.0, 0.0, 100.0, 0.0, false, false),  // no rate, nothing ever accrues
    ])
    func admission(rate: Double, start: Double, idle: Double, units: Double, before: Bool, after: Bool) {
        var bucket = TokenBucket(rate: rate, now: 0, tokens: start)
        let admittedBefore = bucket.admits(at: idle)
        #expect(admittedBefore == before)
        bucket.debit(units, at: idle)
        let admittedAfter = bucket.admits(at: idle)
        #expect(admittedAfter == after)
    }

    @Test func aRequestMayTakeTheBucketBelowZeroAndThenWaitsForTheRate() {
        var bucket = TokenBucket(rate: 10, now: 0, tokens: 1)
        let atOnce = bucket.admits(at: 0)
        #expect(atOnce)
        bucket.debit(31, at: 0)  // a large read, known only after it ran
        #expect(bucket.tokens == -30)
        let before3s = bucket.admits(at: 2.9)
        #expect(!before3s)
        let almost3s = bucket.admits(at: 2.99)
        #expect(!almost3s)
        let after3s = bucket.admits(at: 3.1)
        #expect(after3s)
    }

    @Test func aNewRateAppliesAtOnceAndCapsTheBurst() {
        var bucket = TokenBucket(rate: 10, now: 0)
        #expect(bucket.tokens == 3000)
        bucket.setRate(1, at: 0)
        #expect(bucket.tokens == 300)
        bucket.debit(300, at: 0)
        bucket.setRate(100, at: 1)  // one second accrued at the old rate, then 100/s
        #expect(bucket.tokens == 1)
        bucket.refill(at: 2)
        #expect(bucket.tokens == 101)
    }

    @Test func timeGoingBackwardsAddsNothing() {
        var bucket = TokenBucket(rate: 1, now: 100, tokens: 0)
        bucket.refill(at: 50)
        #expect(bucket.tokens == 0)
        #expect(bucket.updatedAt == 100)
    }
}
