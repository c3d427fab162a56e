import KVStore
import Synchronization
import Testing

@testable import KVServer

/// The limiter over a fake catalog and a fake clock.
@Suite struct ThroughputLimiterTests {
    final class Fixture: Sendable {
        let table = Mutex<TableDefinition>(Fixture.definition(read: 1, write: 2, indexWrite: 1))
        let now = Mutex<Double>(0)
        var limiter: ThroughputLimiter {
            ThroughputLimiter(
                tables: { name in self.table.withLock { $0.name == name ? $0 : nil } },
                clock: { self.now.withLock { $0 } })
        }

        static func definition(read: Int64, write: Int64, indexWrite: Int64) -> TableDefinition {
            let key = KeySchema(partitionKey: KeyAttribute(name: "pk", type: .string))
            var table = TableDefinition(
                name: "T", storageID: 1, tableID: "id-1", keySchema: key, attributeDefinitions: [],
                billingMode: .provisioned, throughput: ProvisionedThroughput(readCapacityUnits: read, writeCapacityUnits: write),
                creationDate: 0, payPerRequestSince: nil, deletionProtection: false)
            table.globalIndexes = [
                IndexDefinition(
                    name: "G", isGlobal: true, keySchema: KeySchema(partitionKey: KeyAttribute(name: "g", type: .string)),
                    projection: IndexProjection(kind: .all, nonKeyAttributes: []), number: 1, status: .active,
                    backfilling: false, throughput: ProvisionedThroughput(readCapacityUnits: 1, writeCapacityUnits: indexWrite))
            ]
            return table
        }
    }

    static func throttled(_ body: () throws(WireError) -> Void) -> WireError? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    @Test func aTableThrottlesOnceItsBurstIsSpentAndRecoversAtItsRate() {
        let fixture = Fixture()
        let limiter = fixture.limiter
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .read, region: "us-east-1") } == nil)
        limiter.debit(table: "T", kind: .read, table: 301, globalIndexes: [:])  // 300 s of 1 RCU, and one more
        let error = Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .read, region: "us-east-1") }
        #expect(error?.name == "ProvisionedThroughputExceededException")
        #expect(error?.message == ThroughputExceeded.tableMessage)
        #expect(error?.extraMembers.first?.key == "ThrottlingReasons")
        #expect(
            error?.extraMembers.first?.value
                == .array([
                    .object([
                        "reason": .string("TableReadProvisionedThroughputExceeded"),
                        "resource": .string("arn:aws:dynamodb:us-east-1:000000000000:table/T"),
                    ])
                ]))
        // Writes have their own bucket.
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .write, region: "us-east-1") } == nil)
        fixture.now.withLock { $0 = 1.5 }
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .read, region: "us-east-1") } == nil)
    }

    @Test func anExhaustedIndexThrottlesTheWritesThatTouchIt() {
        let fixture = Fixture()
        let limiter = fixture.limiter
        limiter.debit(table: "T", kind: .write, table: 1, globalIndexes: ["G": 300])
        let touching = Self.throttled { () throws(WireError) in
            try limiter.admit(table: "T", kind: .write, region: "us-east-1", touches: { _ in true })
        }
        #expect(touching?.message == ThroughputExceeded.indexMessage)
        #expect(
            touching?.extraMembers.first?.value
                == .array([
                    .object([
                        "reason": .string("IndexWriteProvisionedThroughputExceeded"),
                        "resource": .string("arn:aws:dynamodb:us-east-1:000000000000:table/T/index/G"),
                    ])
                ]))
        let other = Self.throttled { () throws(WireError) in
            try limiter.admit(table: "T", kind: .write, region: "us-east-1", touches: { _ in false })
        }
        #expect(other == nil)
        // Reads of the table do not care about the index's write capacity.
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .read, region: "us-east-1") } == nil)
    }

    @Test func aQueryOfTheIndexSpendsTheIndexsReadCapacity() {
        let fixture = Fixture()
        let limiter = fixture.limiter
        limiter.debit(table: "T", kind: .read, table: 0, globalIndexes: ["G": 400])
        #expect(limiter.tokens(table: "T", index: "G", kind: .read) == -100)
        #expect(limiter.tokens(table: "T", kind: .read) == 300)
        let error = Self.throttled { () throws(WireError) in try limiter.admit(table: "T", index: "G", kind: .read, region: "eu-west-1") }
        #expect(error?.message == ThroughputExceeded.indexMessage)
    }

    @Test func updateTableAppliesToTheNextRequest() {
        let fixture = Fixture()
        let limiter = fixture.limiter
        limiter.debit(table: "T", kind: .write, table: 600, globalIndexes: [:])
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .write, region: "us-east-1") } != nil)
        fixture.table.withLock { $0.throughput.writeCapacityUnits = 1000 }
        fixture.now.withLock { $0 = 0.01 }  // what accrued until now counts at the old rate (2 WCU)...
        #expect(abs((limiter.tokens(table: "T", kind: .write) ?? 0) - 0.02) < 1e-9)
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .write, region: "us-east-1") } == nil)
        fixture.now.withLock { $0 = 0.02 }  // ...and from then on the new one (1000 WCU)
        #expect(abs((limiter.tokens(table: "T", kind: .write) ?? 0) - 10.02) < 1e-9)
    }

    @Test func onDemandAndUnknownTablesAreNotLimited() {
        let fixture = Fixture()
        fixture.table.withLock { $0.billingMode = .payPerRequest }
        let limiter = fixture.limiter
        limiter.debit(table: "T", kind: .write, table: 1_000_000, globalIndexes: [:])
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .write, region: "us-east-1") } == nil)
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "Nope", kind: .write, region: "us-east-1") } == nil)
        #expect(limiter.tokens(table: "T", kind: .write) == nil)
    }

    @Test func anOnDemandMaximumIsAPerSecondCeilingAnsweredWithThrottlingException() {
        let fixture = Fixture()
        fixture.table.withLock {
            $0.billingMode = .payPerRequest
            $0.onDemandThroughput = OnDemandThroughput(maxReadRequestUnits: nil, maxWriteRequestUnits: 10)
        }
        let limiter = fixture.limiter
        #expect(limiter.tokens(table: "T", kind: .write) == 10)  // one second's worth, no burst
        #expect(limiter.tokens(table: "T", kind: .read) == nil)  // no read maximum
        limiter.debit(table: "T", kind: .write, table: 10, globalIndexes: ["G": 10])
        let error = Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .write, region: "us-east-1") }
        #expect(error?.name == "ThrottlingException")
        #expect(error?.type == "com.amazon.coral.availability#ThrottlingException")
        #expect(error?.message == ThroughputExceeded.onDemandMessage)
        #expect(error?.extraMembers.first?.key == "throttlingReasons")
        #expect(
            error?.extraMembers.first?.value
                == .array([
                    .object([
                        "reason": .string("TableWriteMaxOnDemandThroughputExceeded"),
                        "resource": .string("arn:aws:dynamodb:us-east-1:000000000000:table/T"),
                    ])
                ]))
        fixture.now.withLock { $0 = 0.5 }
        #expect(Self.throttled { () throws(WireError) in try limiter.admit(table: "T", kind: .write, region: "us-east-1") } == nil)
        fixture.now.withLock { $0 = 100 }
        #expect(limiter.tokens(table: "T", kind: .write) == 10)  // idle time does not pile up
    }
}
