import Logging
import Testing

@testable import KVStore

/// DynamoDB's item collection limit on tables with local secondary indexes, with the limit
/// configured small so the test needs kilobytes, not 10 GB.
@Suite struct ItemCollectionLimitTests {
    @Test func growingPastTheLimitIsRefusedAndNothingIsWritten() async throws {
        var configuration = EngineConfiguration(dataDirectory: nil)
        configuration.itemCollectionLimit = 4_000
        let engine = try await KVEngine(configuration: configuration, logger: Logger(label: "test"))
        defer { engine.shutdown() }
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "Collections",
                attributeDefinitions: [
                    KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .number),
                    KeyAttribute(name: "alt", type: .string),
                ],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false,
                localSecondaryIndexes: [
                    IndexRequest(
                        name: "by-alt",
                        keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "alt", keyType: .range)],
                        projectionKind: .all, nonKeyAttributes: nil, provisionedThroughput: nil)
                ]))
        let payload = String(repeating: "x", count: 500)
        func put(_ partition: String, _ sort: Int) async throws {
            _ = try await engine.putItem(
                PutItemRequest(
                    tableName: "Collections",
                    item: ["pk": .string(partition), "sk": .number(Number(sort)), "alt": .string("a\(sort)"), "p": .string(payload)]))
        }
        // Each item counts about twice (table row + LSI row): three fit under 4,000 bytes, a fourth does not.
        for sort in 0..<3 { try await put("full", sort) }
        await #expect(throws: KVError(.itemCollectionSizeLimitExceeded, "Collection size exceeded")) {
            try await put("full", 3)
        }
        let stored = try await engine.getItem(
            GetItemRequest(tableName: "Collections", key: ["pk": .string("full"), "sk": .number(Number(3))]))
        #expect(stored == nil)
        try await put("other", 0)  // other partitions are separate collections
    }
}
