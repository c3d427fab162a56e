import KVStore
import KVStorePostgres
import Testing

/// `PostgresExternalBackend`: KVEngine itself over PostgreSQL, through the public seam (the
/// black-box tests with kvserver are Tests/integration/test_postgres_backend.py).
@Suite struct PostgresExternalBackendTests {
    static func createTable(_ engine: KVEngine, _ name: String) async throws {
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: name, attributeDefinitions: [KeyAttribute(name: "id", type: .string)],
                keySchema: [KeySchemaElement(attributeName: "id", keyType: .hash)], billingMode: .payPerRequest,
                provisionedThroughput: nil, deletionProtection: false))
    }

    @Test func conflictsAreTransactionConflictsAndFailuresAreStorageFailures() {
        for reason in [PostgresConflict.Reason.deadlock, .lockNotAvailable, .serializationFailure, .concurrentInsert] {
            let mapped = PostgresExternalBackend.engineError(PostgresConflict(reason))
            #expect(mapped as? KVError == KVError(.transactionConflict, "Transaction is ongoing for the item"))
        }
        let failure = PostgresExternalBackend.engineError(PostgresStorageError.commitOutcomeUnknown)
        #expect(failure is PostgresBackendFailure)
        #expect(failure is any ExternalStorageFailure)
    }

    @Test func itemsWrittenOnOneNodeAreReadOnAnother() async throws {
        try await TestPostgres.withTwoEngines { a, b in
            try await Self.createTable(a, "Tasks")
            // b learns of the table from storage (its catalog cache was loaded before).
            #expect(await b.refreshCatalog())
            let item: Item = ["id": .string("t1"), "state": .string("open")]
            _ = try await a.putItem(PutItemRequest(tableName: "Tasks", item: item))
            #expect(try await b.getItem(GetItemRequest(tableName: "Tasks", key: ["id": .string("t1")], consistentRead: true)) == item)
            _ = try await b.deleteTable("Tasks")
            // a still caches the table; its write finds it gone in storage and writes nothing.
            await #expect(throws: KVError.resourceNotFound("Requested resource not found")) {
                try await a.putItem(PutItemRequest(tableName: "Tasks", item: item))
            }
        }
    }
}
