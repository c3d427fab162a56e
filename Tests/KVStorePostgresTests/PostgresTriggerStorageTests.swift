import Foundation
import KVStore
import KVStorePostgres
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
        let settings = try await TestPostgres.freshDatabase()
        let logger = TestPostgres.logger
        let first = PostgresExternalBackend(pool: PostgresPool(settings: settings, logger: logger), callTimeout: .seconds(20))
        let second = PostgresExternalBackend(pool: PostgresPool(settings: settings, logger: logger), callTimeout: .seconds(20))
        do {
            try await Self.exercise(first, second)
        } catch {
            await first.close()
            await second.close()
            throw error
        }
        await first.close()
        await second.close()
    }

    static func exercise(_ first: PostgresExternalBackend, _ second: PostgresExternalBackend) async throws {
        let logger = TestPostgres.logger
        try await PostgresMigrator.migrate(first.runner.pool)
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
}
