import Foundation
import KVStore
import KVStorePostgres
import Logging
import Synchronization
import Testing

/// Stream triggers' storage on PostgreSQL (`PostgresTriggerStorage`): mappings shared by every
/// engine over the database, LATEST checkpointed at each shard's own last number, checkpoints
/// that never move back, are written only under the `stream-triggers` lease, and are not
/// revived once their mapping is deleted.
@Suite(.timeLimit(.minutes(2))) struct PostgresTriggerStorageTests {
    static func mapping(_ uuid: String, label: String) -> EventSourceMapping {
        EventSourceMapping(
            uuid: uuid, eventSourceArn: "arn:aws:dynamodb:us-east-1:000000000000:table/Triggered/stream/\(label)",
            tableName: "Triggered", streamLabel: label, functionName: "http://127.0.0.1:9/never",
            startingPosition: .latest, lastModified: 1)
    }

    @Test func mappingsAreSharedAndCheckpointsOnlyMoveForwardUnderTheLease() async throws {
        try await TestPostgres.withTwoBackends(Self.exercise)
    }

    static func exercise(_ first: PostgresExternalBackend, _ second: PostgresExternalBackend) async throws {
        let logger = TestPostgres.logger
        let configuration = EngineConfiguration(dataDirectory: nil)
        let a = try await KVEngine(configuration: configuration, logger: logger, backend: first)
        let b = try await KVEngine(configuration: configuration, logger: logger, backend: second)
        let label = try await PostgresExternalStreamsTests.createStreamed(a, "Triggered")
        for i in 0..<3 {
            _ = try await a.putItem(PutItemRequest(tableName: "Triggered", item: ["id": .string("k\(i)")]))
        }

        // Saved through one engine, loaded by the other.
        let mapping = Self.mapping("m-1", label: label)
        try await a.prepareTriggerStore()
        try await a.saveTriggerMapping(mapping, isNew: true)
        #expect(try await b.loadTriggerMappings() == [mapping])
        let stream = try #require(a.triggerStream(of: mapping))
        let id = stream.id
        let checkpoints = { @Sendable () async throws -> [Int64: TriggerCheckpoint] in
            try await second.read { try $0.triggerCheckpoints(uuid: "m-1", streamID: id) }
        }
        // LATEST: after the three records of the stream's one shard (numbered 1, 2, 3 there).
        let shard = try #require(try await checkpoints().keys.first)
        #expect(try await checkpoints() == [shard: TriggerCheckpoint(afterSequence: 3, finished: false)])

        // The duty's holder moves the checkpoint forward; a late, earlier write keeps it.
        let duty = SingletonDuty.streamTriggers.rawValue
        let epoch = try #require(await first.leases.epoch(for: duty))
        let fence = PostgresDutyFence(lease: first.leases.lease(duty), epoch: epoch)
        let save = { @Sendable (after: Int64, finished: Bool) async throws in
            try await first.write { transaction in
                try transaction.saveTriggerCheckpoint(
                    uuid: "m-1", streamID: id, shard: shard, TriggerCheckpoint(afterSequence: after, finished: finished))
            }
        }
        try await PostgresDutyFence.$current.withValue(fence) {
            try await save(5, false)
            try await save(4, false)
        }
        #expect(try await checkpoints()[shard] == TriggerCheckpoint(afterSequence: 5, finished: false))
        try await PostgresDutyFence.$current.withValue(fence) {
            try await save(5, true)
            try await save(2, false)
        }
        #expect(try await checkpoints()[shard] == TriggerCheckpoint(afterSequence: 5, finished: true))

        // Under an epoch this node no longer holds (another node took over): nothing moves.
        let stale = PostgresDutyFence(lease: first.leases.lease(duty), epoch: epoch + 1000)
        await #expect(throws: (any Error).self) {
            try await PostgresDutyFence.$current.withValue(stale) { try await save(9, true) }
        }
        #expect(try await checkpoints()[shard] == TriggerCheckpoint(afterSequence: 5, finished: true))

        // Deleted through the other engine: its checkpoints go, and a late write brings none back.
        try await b.deleteTriggerMapping(uuid: "m-1")
        #expect(try await a.loadTriggerMappings() == [])
        #expect(try await checkpoints() == [:])
        try await PostgresDutyFence.$current.withValue(fence) { try await save(7, false) }
        #expect(try await checkpoints() == [:])
    }

    /// Records every batch it is sent, and acknowledges it.
    final class RecordingTarget: TriggerTarget {
        let sequences = Mutex<[String]>([])

        func invoke(_ batch: TriggerBatch) async -> TargetAnswer {
            sequences.withLock { $0 += batch.records.map(\.sequenceNumber) }
            return TargetAnswer(.success)
        }

        func discard(_ batch: TriggerBatch, reason: DiscardReason, invocations: Int) async {}

        var count: Int { sequences.withLock { $0.count } }
    }

    /// Two runners over one database: a mapping put through one starts on the other, exactly one
    /// of them delivers (the `stream-triggers` holder), each record once; removed through the
    /// other, it stops on both.
    @Test func runnersOnTwoNodesShareMappingsAndOneDelivers() async throws {
        let settings = try await TestPostgres.freshDatabase()
        let logger = TestPostgres.logger
        let backends = [
            PostgresExternalBackend(pool: PostgresPool(settings: settings, logger: logger), callTimeout: .seconds(20)),
            PostgresExternalBackend(pool: PostgresPool(settings: settings, logger: logger), callTimeout: .seconds(20)),
        ]
        try await PostgresMigrator.migrate(backends[0].runner.pool)
        var engines: [KVEngine] = []
        for backend in backends {
            engines.append(try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger, backend: backend))
        }
        let targets = [RecordingTarget(), RecordingTarget()]
        let runners = (0..<2).map { TriggerRunner(engine: engines[$0], target: targets[$0], logger: logger, pollInterval: 0.05) }
        for runner in runners { try await runner.load() }
        let tasks = runners.map { runner in Task { await runner.run() } }

        let label = try await PostgresExternalStreamsTests.createStreamed(engines[0], "Triggered")
        await engines[1].refreshCatalog()  // the server does it on a miss (`retryingAfterCatalogMiss`)
        for i in 0..<10 {
            _ = try await engines[i % 2].putItem(PutItemRequest(tableName: "Triggered", item: ["id": .string("k\(i)")]))
        }
        var mapping = Self.mapping("m-2", label: label)
        mapping.startingPosition = .trimHorizon
        try await runners[0].put(mapping)
        try await PostgresSingletonDutyTests.waitUntil(.seconds(20), "the other node's runner loads the mapping") {
            runners[1].mapping(uuid: "m-2") != nil
        }
        try await PostgresSingletonDutyTests.waitUntil(.seconds(20), "delivery") { targets[0].count + targets[1].count >= 10 }
        try await Task.sleep(for: .milliseconds(500))
        let delivered = targets.map { $0.sequences.withLock { $0 } }
        #expect(delivered.filter(\.isEmpty).count == 1, "exactly one node delivers")
        let all = delivered.flatMap { $0 }
        #expect(all.count == 10 && Set(all).count == 10)

        try await runners[1].remove(uuid: "m-2")
        try await PostgresSingletonDutyTests.waitUntil(.seconds(20), "the first node's runner drops the mapping") {
            runners[0].mappings.isEmpty
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for backend in backends { await backend.close() }
    }
}
