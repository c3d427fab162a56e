import KVStore
import KVStorePostgres
import Logging
import PostgresNIO
import Testing

/// Eventually consistent reads through `PostgresExternalBackend` with a read replica
/// (`PostgresReplica`). The "replica" here is a second database, written directly, so that
/// what each read sees shows where it came from (the black-box test with a real streaming
/// standby is Tests/integration/test_postgres_replica.py).
@Suite struct PostgresReplicaReadTests {
    /// `body` with an engine over a fresh primary database and a replica backend over `replica`
    /// (a migrated, empty second database unless given).
    static func withEngine(
        replicaSettings given: PostgresSettings? = nil,
        _ body: @Sendable (KVEngine, PostgresExternalBackend, PostgresSettings, PostgresSettings) async throws -> Void
    ) async throws {
        let logger = TestPostgres.logger
        let primarySettings = try await TestPostgres.freshDatabase()
        let replicaSettings: PostgresSettings
        if let given {
            replicaSettings = given
        } else {
            replicaSettings = try await TestPostgres.freshDatabase()
            try await PostgresPool.withRunning(settings: replicaSettings, logger: logger) { pool in
                _ = try await PostgresMigrator.migrate(pool)
            }
        }
        let replica = PostgresReplica(
            pool: PostgresPool(settings: replicaSettings, logger: logger), callTimeout: .seconds(3),
            recheckInterval: .milliseconds(200))
        let backend = PostgresExternalBackend(
            pool: PostgresPool(settings: primarySettings, logger: logger), callTimeout: .seconds(20), replica: replica)
        do {
            try await PostgresMigrator.migrate(backend.runner.pool)
            let engine = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger, backend: backend)
            try await body(engine, backend, primarySettings, replicaSettings)
        } catch {
            await backend.close()
            throw error
        }
        await backend.close()
    }

    /// Copies `table`'s catalog row from the primary to the replica database (as replication would).
    static func replicateCatalog(_ table: String, from primary: PostgresSettings, to replica: PostgresSettings) async throws {
        let logger = TestPostgres.logger
        let row = try await PostgresPool.withRunning(settings: primary, logger: logger) { pool in
            var found: (Int64, String)?
            let rows = try await pool.client.query(
                "SELECT storage_id, definition FROM kv_tables WHERE name = \(table)", logger: logger)
            for try await (storageID, definition) in rows.decode((Int64, String).self) { found = (storageID, definition) }
            return found
        }
        let (storageID, definition) = try #require(row)
        try await PostgresPool.withRunning(settings: replica, logger: logger) { pool in
            try await pool.client.query(
                "INSERT INTO kv_tables (name, storage_id, definition) VALUES (\(table), \(storageID), \(definition))",
                logger: logger)
        }
    }

    static let key: Item = ["id": .string("a")]
    static let item: Item = ["id": .string("a"), "v": .string("x")]

    static func get(_ engine: KVEngine, consistent: Bool) async throws -> Item? {
        try await engine.getItem(GetItemRequest(tableName: "T", key: key, consistentRead: consistent))
    }

    static func queryCount(_ engine: KVEngine, consistent: Bool) async throws -> Int {
        try await engine.query(
            QueryRequest(tableName: "T", partitionKeyValue: .string("a"), options: ReadOptions(consistentRead: consistent))
        ).count
    }

    static func scanCount(_ engine: KVEngine, consistent: Bool) async throws -> Int {
        try await engine.scan(ScanRequest(tableName: "T", options: ReadOptions(consistentRead: consistent))).count
    }

    static func batchCount(_ engine: KVEngine, consistent: [Bool]) async throws -> Int {
        let result = try await engine.batchGetItem(
            consistent.enumerated().map { position, consistent in
                BatchGetTable(tableName: position == 0 ? "T" : "U", keys: [key], consistentRead: consistent)
            })
        return result.responses.reduce(0) { $0 + $1.1.count }
    }

    @Test func eventuallyConsistentReadsComeFromTheReplicaAndStrongOnesNever() async throws {
        try await Self.withEngine { engine, backend, primary, replica in
            try await PostgresExternalBackendTests.createTable(engine, "T")
            try await PostgresExternalBackendTests.createTable(engine, "U")
            _ = try await engine.putItem(PutItemRequest(tableName: "T", item: Self.item))
            _ = try await engine.putItem(PutItemRequest(tableName: "U", item: Self.item))
            try await Self.replicateCatalog("T", from: primary, to: replica)
            try await Self.replicateCatalog("U", from: primary, to: replica)

            // The replica knows the tables but not the items.
            #expect(try await Self.get(engine, consistent: false) == nil)
            #expect(try await Self.queryCount(engine, consistent: false) == 0)
            #expect(try await Self.scanCount(engine, consistent: false) == 0)
            #expect(try await Self.batchCount(engine, consistent: [false, false]) == 0)

            #expect(try await Self.get(engine, consistent: true) == Self.item)
            #expect(try await Self.queryCount(engine, consistent: true) == 1)
            #expect(try await Self.scanCount(engine, consistent: true) == 1)
            // One table asking for a consistent read makes the whole batch's snapshot the primary's.
            #expect(try await Self.batchCount(engine, consistent: [false, true]) == 2)
            let transact = try await engine.transactGetItems([TransactGet(tableName: "T", key: Self.key)])
            #expect(transact.items == [Self.item])
            // A conditional write checks against the primary.
            var attributes = ExpressionAttributes(names: nil, values: nil)
            let notThere = WriteCondition(try ConditionExpression.parse("attribute_not_exists(id)", kind: .condition, attributes: &attributes))
            await #expect(throws: KVError(.conditionalCheckFailed, "The conditional request failed")) {
                _ = try await engine.putItem(PutItemRequest(tableName: "T", item: Self.item, condition: notThere))
            }
            #expect(backend.replica?.isServing == true)
        }
    }

    @Test func aTableTheReplicaDoesNotKnowYetIsReadFromThePrimary() async throws {
        try await Self.withEngine { engine, backend, _, _ in
            try await PostgresExternalBackendTests.createTable(engine, "T")
            _ = try await engine.putItem(PutItemRequest(tableName: "T", item: Self.item))
            // No catalog row on the replica: never ResourceNotFoundException, the primary answers.
            #expect(try await Self.get(engine, consistent: false) == Self.item)
            #expect(try await Self.queryCount(engine, consistent: false) == 1)
            #expect(try await Self.scanCount(engine, consistent: false) == 1)
            // That is lag, not a failure: the replica keeps serving.
            #expect(backend.replica?.isServing == true)
            await #expect(throws: KVError.resourceNotFound("Requested resource not found")) {
                _ = try await engine.getItem(GetItemRequest(tableName: "Missing", key: Self.key))
            }
        }
    }

    @Test func theReplicaProbeRefusesAServerThatIsNotAStandby() async throws {
        // The test cluster is a primary (pg_is_in_recovery() false).
        await #expect(throws: PostgresStorageError.replicaNotStandby) {
            try await PostgresProbe.checkReplica(try await TestPostgres.clusterSettings(), logger: TestPostgres.logger)
        }
        #expect(PostgresStorageError.replicaNotStandby.description.contains("not a standby server"))
    }

    @Test func readsGoToThePrimaryWhileTheReplicaCannotBeReached() async throws {
        var unreachable = try await TestPostgres.clusterSettings()
        unreachable.database = "no_such_database_for_replica_tests"
        try await Self.withEngine(replicaSettings: unreachable) { engine, backend, _, _ in
            try await PostgresExternalBackendTests.createTable(engine, "T")
            _ = try await engine.putItem(PutItemRequest(tableName: "T", item: Self.item))
            let clock = ContinuousClock()
            let first = clock.now
            #expect(try await Self.get(engine, consistent: false) == Self.item)
            // The first read waits for the replica's bound (3 s here), then the primary answers.
            #expect(clock.now - first < .seconds(10))
            #expect(backend.replica?.isServing == false)
            // Left out while down: no read waits for it (one that tried would take the 3 s bound).
            for _ in 0..<20 {
                let start = clock.now
                #expect(try await Self.get(engine, consistent: false) == Self.item)
                #expect(try await Self.queryCount(engine, consistent: false) == 1)
                #expect(clock.now - start < .milliseconds(2500))
            }
        }
    }
}
