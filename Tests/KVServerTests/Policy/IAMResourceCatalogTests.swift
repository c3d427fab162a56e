import KVStore
import Logging
import Testing

@testable import KVServer

/// `IAMResourceCatalog.engine(_:)`: what the policy mapping learns from the engine's catalog
/// (key schemas for `dynamodb:LeadingKeys`, the stream a shard iterator reads for `GetRecords`).
@Suite("IAM resource catalog over the engine")
struct IAMResourceCatalogTests {
    @Test("key schemas of tables and indexes; the stream behind a shard iterator")
    func engineCatalog() async throws {
        let engine = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: Logger(label: "test"))
        defer { engine.shutdown() }
        var request = CreateTableRequest(
            tableName: "Orders",
            attributeDefinitions: [
                KeyAttribute(name: "customer", type: .string), KeyAttribute(name: "order", type: .string),
                KeyAttribute(name: "status", type: .string),
            ],
            keySchema: [
                KeySchemaElement(attributeName: "customer", keyType: .hash),
                KeySchemaElement(attributeName: "order", keyType: .range),
            ],
            billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false)
        request.globalSecondaryIndexes = [
            IndexRequest(
                name: "ByStatus", keySchema: [KeySchemaElement(attributeName: "status", keyType: .hash)],
                projectionKind: .keysOnly, nonKeyAttributes: nil, provisionedThroughput: nil)
        ]
        request.stream = StreamSpecification(enabled: true, viewType: .keysOnly)
        _ = try await engine.createTable(request)

        let catalog = IAMResourceCatalog.engine(engine)
        #expect(catalog.keySchema("Orders", nil)?.partitionKey.name == "customer")
        #expect(catalog.keySchema("Orders", nil)?.sortKey?.name == "order")
        #expect(catalog.keySchema("Orders", "ByStatus")?.partitionKey.name == "status")
        #expect(catalog.keySchema("Orders", "Missing") == nil)
        #expect(catalog.keySchema("Nope", nil) == nil)

        let stream = try #require(engine.listStreams(tableName: "Orders").first?.stream)
        let arn = stream.arn(table: "Orders", region: "us-east-1", account: TableName.accountID)
        let description = try await engine.describeStream(
            tableName: "Orders", label: stream.label, arn: arn, exclusiveStartShardID: nil, limit: 100)
        let shard = try #require(description.shards.first)
        let iterator = try await engine.shardIterator(
            tableName: "Orders", label: stream.label, arn: arn, shardID: shard.shardID, type: .trimHorizon,
            sequenceNumber: nil)
        let found = catalog.streamOfShardIterator(iterator)
        #expect(found?.table == "Orders")
        #expect(found?.label == stream.label)
        #expect(catalog.streamOfShardIterator("bm90LWFuLWl0ZXJhdG9y") == nil)
        #expect(catalog.streamOfShardIterator("") == nil)
    }
}
