import Foundation
import KVStore
import KVStorePostgres
import Synchronization
import Testing

/// DynamoDB Streams through the seam on PostgreSQL (`PostgresExternalStreams`): two engines
/// ("nodes") over one database, read back through the engine's Streams API as GetRecords does.
@Suite struct PostgresExternalStreamsTests {
    /// The engines' clock, moved by the test: a shard's rollover then happens when the test says,
    /// never because a loaded machine made a step slow.
    final class TestClock: Sendable {
        let seconds = Mutex<Double>(WallClock.now())
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
        var now: Double { seconds.withLock { $0 } }
    }

    /// Two engines over one fresh database (`TestPostgres.withTwoEngines`) with the given shard
    /// rollover and clock.
    static func withEngines(
        rollover: Double = StreamSettings.defaultShardRollover, clock: TestClock? = nil,
        _ body: @Sendable (KVEngine, KVEngine) async throws -> Void
    ) async throws {
        let configuration = EngineConfiguration(dataDirectory: nil, streams: StreamSettings(shardRollover: rollover))
        try await TestPostgres.withTwoEngines(configuration: configuration, clock: { clock?.now ?? WallClock.now() }, body)
    }

    static func createStreamed(_ engine: KVEngine, _ name: String, view: StreamViewType = .newAndOldImages) async throws -> String {
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: name, attributeDefinitions: [KeyAttribute(name: "id", type: .string)],
                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)], billingMode: .payPerRequest,
                provisionedThroughput: nil, deletionProtection: false,
                stream: StreamSpecification(enabled: true, viewType: view)))
        return try #require(engine.listStreams(tableName: name).last).stream.label
    }

    /// Every record of every shard from TRIM_HORIZON, shard by shard (following the lineage).
    static func readAll(_ engine: KVEngine, _ table: String, _ label: String) async throws -> [(shard: String, record: StreamRecord)] {
        let shards = try await engine.describeStream(
            tableName: table, label: label, arn: "arn", exclusiveStartShardID: nil, limit: 100
        ).shards
        var records: [(shard: String, record: StreamRecord)] = []
        for shard in shards {
            var iterator: String? = try await engine.shardIterator(
                tableName: table, label: label, arn: "arn", shardID: shard.shardID, type: .trimHorizon, sequenceNumber: nil)
            while let current = iterator {
                let page = try await engine.records(iterator: current, limit: 3)
                records += page.records.map { (shard.shardID, $0) }
                if page.records.isEmpty { break }
                iterator = page.nextIterator
            }
        }
        return records
    }

    static func item(_ id: String, _ value: Int) -> Item {
        ["id": .string(id), "v": .number(Number(value))]
    }

    @Test func everyViewTypeKeepsItsImages() async throws {
        try await Self.withEngines { a, b in
            for (name, view) in [("K", StreamViewType.keysOnly), ("N", .newImage), ("O", .oldImage), ("B", .newAndOldImages)] {
                let label = try await Self.createStreamed(a, name, view: view)
                #expect(await b.refreshCatalog())
                _ = try await a.putItem(PutItemRequest(tableName: name, item: Self.item("x", 1)))
                _ = try await b.putItem(PutItemRequest(tableName: name, item: Self.item("x", 2)))
                _ = try await b.putItem(PutItemRequest(tableName: name, item: Self.item("x", 2)))  // unchanged: no record
                _ = try await a.deleteItem(DeleteItemRequest(tableName: name, key: ["id": .string("x")]))
                let records = try await Self.readAll(b, name, label).map(\.record)
                #expect(records.map(\.eventName) == ["INSERT", "MODIFY", "REMOVE"])
                #expect(records.allSatisfy { $0.keys == ["id": .string("x")] && $0.viewType == view && !$0.byService })
                let keepsNew = view == .newImage || view == .newAndOldImages
                let keepsOld = view == .oldImage || view == .newAndOldImages
                #expect(records.map(\.newImage) == [keepsNew ? Self.item("x", 1) : nil, keepsNew ? Self.item("x", 2) : nil, nil])
                #expect(records.map(\.oldImage) == [nil, keepsOld ? Self.item("x", 1) : nil, keepsOld ? Self.item("x", 2) : nil])
                #expect(records.map(\.sequenceNumber) == records.map(\.sequenceNumber).sorted())
            }
        }
    }

    @Test func shardsRollOverIntoChildrenNumberingOnAndIteratorsFollow() async throws {
        // One rollover, when the clock moves past it; no other however slow the steps after it.
        let clock = TestClock()
        try await Self.withEngines(rollover: 2, clock: clock) { a, b in
            let label = try await Self.createStreamed(a, "Rolled")
            #expect(await b.refreshCatalog())
            _ = try await a.putItem(PutItemRequest(tableName: "Rolled", item: Self.item("x", 1)))
            clock.advance(2.1)
            _ = try await b.putItem(PutItemRequest(tableName: "Rolled", item: Self.item("x", 2)))
            _ = try await a.putItem(PutItemRequest(tableName: "Rolled", item: Self.item("y", 1)))
            let shards = try await b.describeStream(
                tableName: "Rolled", label: label, arn: "arn", exclusiveStartShardID: nil, limit: 100
            ).shards
            #expect(shards.count == 2)
            let parent = try #require(shards.first)
            let child = try #require(shards.last)
            #expect(parent.parentShardID == nil)
            #expect(child.parentShardID == parent.shardID)
            let parentEnd = try #require(parent.endingSequenceNumber)
            #expect(child.endingSequenceNumber == nil)
            let records = try await Self.readAll(a, "Rolled", label)
            #expect(records.map(\.shard) == [parent.shardID, child.shardID, child.shardID])
            #expect(records.map(\.record.eventName) == ["INSERT", "MODIFY", "INSERT"])
            #expect(records.first?.record.sequenceNumber == parentEnd)
            #expect(records[1].record.sequenceNumber > parentEnd)
            #expect(child.startingSequenceNumber == records[1].record.sequenceNumber)

            // LATEST on the open shard: after its last record; the next write is its first record.
            let latest = try await a.shardIterator(
                tableName: "Rolled", label: label, arn: "arn", shardID: child.shardID, type: .latest, sequenceNumber: nil)
            #expect(try await a.records(iterator: latest, limit: 10).records.isEmpty)
            _ = try await b.deleteItem(DeleteItemRequest(tableName: "Rolled", key: ["id": .string("y")]))
            let after = try await a.records(iterator: latest, limit: 10)
            #expect(after.records.map(\.eventName) == ["REMOVE"])
            // AT_ and AFTER_SEQUENCE_NUMBER within the child.
            let second = records[2].record.sequenceNumber
            let at = try await b.shardIterator(
                tableName: "Rolled", label: label, arn: "arn", shardID: child.shardID, type: .atSequenceNumber, sequenceNumber: second)
            #expect(try await b.records(iterator: at, limit: 10).records.map(\.eventName) == ["INSERT", "REMOVE"])
            let afterSecond = try await b.shardIterator(
                tableName: "Rolled", label: label, arn: "arn", shardID: child.shardID, type: .afterSequenceNumber,
                sequenceNumber: second)
            #expect(try await b.records(iterator: afterSecond, limit: 10).records.map(\.eventName) == ["REMOVE"])
            // The closed parent, read to its end, gives no next iterator.
            let horizon = try await b.shardIterator(
                tableName: "Rolled", label: label, arn: "arn", shardID: parent.shardID, type: .trimHorizon, sequenceNumber: nil)
            let drained = try await b.records(iterator: horizon, limit: 10)
            #expect(drained.records.count == 1)
            #expect(drained.nextIterator == nil)
            // A number outside the parent's range is refused, as the SQLite engine refuses it.
            await #expect(throws: KVError.self) {
                _ = try await b.shardIterator(
                    tableName: "Rolled", label: label, arn: "arn", shardID: parent.shardID, type: .atSequenceNumber,
                    sequenceNumber: second)
            }
        }
    }

    @Test func disablingClosesTheShardAndDeletingTheTableDropsTheStream() async throws {
        try await Self.withEngines { a, b in
            let label = try await Self.createStreamed(a, "Toggled")
            #expect(await b.refreshCatalog())
            _ = try await b.putItem(PutItemRequest(tableName: "Toggled", item: Self.item("x", 1)))
            _ = try await a.updateTable(UpdateTableRequest(tableName: "Toggled", stream: StreamSpecification(enabled: false, viewType: nil)))
            // b's cached definition still has the stream; its write finds it gone in storage.
            _ = try await b.putItem(PutItemRequest(tableName: "Toggled", item: Self.item("x", 2)))
            let shards = try await a.describeStream(
                tableName: "Toggled", label: label, arn: "arn", exclusiveStartShardID: nil, limit: 100
            ).shards
            #expect(shards.count == 1)
            #expect(shards.first?.endingSequenceNumber == shards.first?.startingSequenceNumber)
            #expect(try await Self.readAll(a, "Toggled", label).map(\.record.eventName) == ["INSERT"])

            let second = try await { () async throws -> String in
                _ = try await a.updateTable(
                    UpdateTableRequest(tableName: "Toggled", stream: StreamSpecification(enabled: true, viewType: .keysOnly)))
                return try #require(a.listStreams(tableName: "Toggled").last).stream.label
            }()
            #expect(second != label)
            _ = try await b.deleteItem(DeleteItemRequest(tableName: "Toggled", key: ["id": .string("x")]))
            #expect(try await Self.readAll(a, "Toggled", second).map(\.record.eventName) == ["REMOVE"])
            let shard = try #require(
                try await a.describeStream(tableName: "Toggled", label: second, arn: "arn", exclusiveStartShardID: nil, limit: 10)
                    .shards.first?.shardID)
            let iterator = try await a.shardIterator(
                tableName: "Toggled", label: second, arn: "arn", shardID: shard, type: .trimHorizon, sequenceNumber: nil)
            // DeleteTable drops the table's streams with it, as the SQLite engine does.
            _ = try await b.deleteTable("Toggled")
            await #expect(throws: KVError.self) {
                _ = try await a.records(iterator: iterator, limit: 10)
            }
            await a.refreshCatalog()
            await #expect(throws: KVError.self) {
                _ = try await a.describeStream(tableName: "Toggled", label: second, arn: "arn", exclusiveStartShardID: nil, limit: 100)
            }
        }
    }

    /// Writers on two engines, a reader polling throughout: every change once, each item's
    /// records one chain (each old image the previous new one), numbers never skipped past.
    @Test func concurrentWritersOnTwoNodesAndAReaderSeeEveryChangeOnceInItemOrder() async throws {
        try await Self.withEngines { a, b in
            let label = try await Self.createStreamed(a, "Busy")
            #expect(await b.refreshCatalog())
            let shardID = try #require(
                try await a.describeStream(tableName: "Busy", label: label, arn: "arn", exclusiveStartShardID: nil, limit: 10)
                    .shards.first?.shardID)
            let writers = 8
            let rounds = 15
            let writing = Mutex(true)
            let reader = Task { () async throws -> [StreamRecord] in
                var seen: [StreamRecord] = []
                var iterator = try await b.shardIterator(
                    tableName: "Busy", label: label, arn: "arn", shardID: shardID, type: .trimHorizon, sequenceNumber: nil)
                while true {
                    // Read once more after the writers ended: the last page sees their last records.
                    let last = !writing.withLock { $0 }
                    let page = try await b.records(iterator: iterator, limit: 7)
                    seen += page.records
                    iterator = try #require(page.nextIterator)
                    if page.records.isEmpty {
                        if last { return seen }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        let engine = writer % 2 == 0 ? a : b
                        for round in 1...rounds {
                            let id = "item\(round % 3)"
                            if round % 5 == 0 {
                                _ = try await engine.deleteItem(DeleteItemRequest(tableName: "Busy", key: ["id": .string(id)]))
                            } else {
                                _ = try await engine.putItem(PutItemRequest(tableName: "Busy", item: Self.item(id, writer * 1000 + round)))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            writing.withLock { $0 = false }
            let seen = try await reader.value
            let all = try await Self.readAll(a, "Busy", label).map(\.record)
            #expect(seen.map(\.sequenceNumber) == all.map(\.sequenceNumber))
            #expect(Set(all.map(\.sequenceNumber)).count == all.count)
            // Numbers are consecutive: nothing was handed out and then lost.
            let numbers = all.compactMap { Int64($0.sequenceNumber) }
            #expect(numbers.count == all.count)
            if let first = numbers.first {
                #expect(numbers == Array(first..<(first + Int64(numbers.count))))
            }
            var current: [String: Item] = [:]
            for record in all {
                guard case .string(let id) = record.keys["id"] else {
                    Issue.record("a record without its key")
                    continue
                }
                #expect(record.oldImage == current[id])
                current[id] = record.newImage
            }
            // The final items are the ends of the chains.
            for id in ["item0", "item1", "item2"] {
                let stored = try await a.getItem(GetItemRequest(tableName: "Busy", key: ["id": .string(id)], consistentRead: true))
                #expect(stored == current[id])
            }
        }
    }

    /// UpdateTable disabling the stream while writers on both nodes keep writing: no write
    /// fails (the close waits for appenders that hold the table's catalog row, never the other
    /// way round), the closed shard ends at its last record, and the records are each item's
    /// chain up to the disable.
    @Test func disablingWhileNodesWriteNeitherDeadlocksNorLosesRecords() async throws {
        try await Self.withEngines { a, b in
            let label = try await Self.createStreamed(a, "Toggling")
            #expect(await b.refreshCatalog())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<6 {
                    group.addTask {
                        let engine = writer % 2 == 0 ? a : b
                        for round in 1...25 {
                            _ = try await engine.putItem(
                                PutItemRequest(tableName: "Toggling", item: Self.item("k\(round % 4)", writer * 100 + round)))
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(60))
                    _ = try await a.updateTable(
                        UpdateTableRequest(tableName: "Toggling", stream: StreamSpecification(enabled: false, viewType: nil)))
                }
                try await group.waitForAll()
            }
            let shards = try await a.describeStream(
                tableName: "Toggling", label: label, arn: "arn", exclusiveStartShardID: nil, limit: 10
            ).shards
            #expect(shards.count == 1)
            let records = try await Self.readAll(a, "Toggling", label).map(\.record)
            #expect(shards.first?.endingSequenceNumber == records.last?.sequenceNumber)
            var current: [String: Item] = [:]
            for record in records {
                guard case .string(let id) = record.keys["id"] else { continue }
                #expect(record.oldImage == current[id])
                current[id] = record.newImage
            }
        }
    }
}
