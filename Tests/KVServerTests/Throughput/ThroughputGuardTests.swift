import KVStore
import Testing

@testable import KVServer

/// What the guard reads from a request before it runs, and how it answers ConsumedCapacity.
@Suite struct ThroughputGuardTests {
    static func object(_ text: String) throws -> [String: JSONValue] {
        guard case .object(let fields) = try JSONParser.parse(text) else { throw KVError.validation("not an object") }
        return fields
    }

    @Test(arguments: [
        ("GetItem", #"{"TableName": "T"}"#, ["T"], [nil]),
        ("Query", #"{"TableName": "arn:aws:dynamodb:us-east-1:000000000000:table/T", "IndexName": "G"}"#, ["T"], ["G"]),
        ("BatchGetItem", #"{"RequestItems": {"A": {"Keys": []}, "B": {"Keys": []}}}"#, ["A", "B"], [nil, nil]),
        (
            "TransactWriteItems",
            #"{"TransactItems": [{"Put": {"TableName": "A"}}, {"Update": {"TableName": "B"}}, {"Delete": {"TableName": "A"}}]}"#,
            ["A", "B"], [nil, nil]
        ),
        ("PutItem", #"{"Item": {}}"#, [], []),
    ] as [(String, String, [String], [String?])])
    func tablesARequestNames(operation: String, body: String, tables: [String], indexes: [String?]) throws {
        let accesses = ThroughputAccess.of(operation: operation, try Self.object(body)).sorted { $0.table < $1.table }
        #expect(accesses.map(\.table) == tables)
        #expect(accesses.map(\.index) == indexes)
    }

    @Test func aPutUpdatesAnIndexOnlyWhenItsItemCarriesTheIndexKey() throws {
        let index = IndexDefinition(
            name: "G", isGlobal: true, keySchema: KeySchema(partitionKey: KeyAttribute(name: "g", type: .string)),
            projection: IndexProjection(kind: .all), number: 1, status: .active, backfilling: false,
            throughput: ProvisionedThroughput(readCapacityUnits: 1, writeCapacityUnits: 1))
        let with = ThroughputAccess.of(operation: "PutItem", try Self.object(#"{"TableName": "T", "Item": {"g": {"S": "x"}}}"#))
        let without = ThroughputAccess.of(operation: "PutItem", try Self.object(#"{"TableName": "T", "Item": {"pk": {"S": "x"}}}"#))
        let update = ThroughputAccess.of(operation: "UpdateItem", try Self.object(#"{"TableName": "T"}"#))
        #expect(with.first?.touches(index) == true)
        #expect(without.first?.touches(index) == false)
        #expect(update.first?.touches(index) == true)  // unknown before the old item is read
        let batch = ThroughputAccess.of(
            operation: "BatchWriteItem",
            try Self.object(#"{"RequestItems": {"T": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}, {"DeleteRequest": {"Key": {}}}]}}"#))
        #expect(batch.first?.touches(index) == true)  // a delete may remove an index entry
    }

    @Test(arguments: [
        (nil, nil),
        ("NONE", nil),
        ("TOTAL", #"{"CapacityUnits":3.0,"TableName":"T"}"#),
        ("INDEXES", #"{"CapacityUnits":3.0,"GlobalSecondaryIndexes":{"G":{"CapacityUnits":1.0}},"Table":{"CapacityUnits":2.0},"TableName":"T"}"#),
    ] as [(String?, String?)])
    func consumedCapacityIsCutBackToWhatTheClientAsked(asked: String?, expected: String?) throws {
        let output = try JSONParser.parse(
            #"{"ConsumedCapacity": {"TableName": "T", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 2.0}, "GlobalSecondaryIndexes": {"G": {"CapacityUnits": 1.0}}}}"#
        )
        let limiter = ThroughputLimiter(tables: { _ in nil }, clock: { 0 })
        guard case .object(let fields) = ThroughputGuard.settle(output, kind: .write, asked: asked, limiter: limiter) else {
            Issue.record("not an object")
            return
        }
        let wanted = try expected.map { text in try JSONParser.parse(text) }
        #expect(fields["ConsumedCapacity"] == wanted)
    }
}
