import Testing

@testable import KVStore

/// Which TransactWriteItems key faults wait for the run (a `ValidationError` cancellation reason)
/// and which are left to the up-front checks. See `TransactionKeyRules`.
@Suite("Transaction key rules")
struct TransactionKeyRulesTests {
    /// Table `pk` (S) with a global index on `g` (N).
    static let table: TableDefinition = {
        var table = TableDefinition(
            name: "t", storageID: 1, tableID: "id", keySchema: KeySchema(partitionKey: KeyAttribute(name: "pk", type: .string)),
            attributeDefinitions: [KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "g", type: .number)],
            billingMode: .payPerRequest, throughput: ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0),
            creationDate: 0, payPerRequestSince: 0, deletionProtection: false)
        table.globalIndexes = [
            IndexDefinition(
                name: "by-g", isGlobal: true, keySchema: KeySchema(partitionKey: KeyAttribute(name: "g", type: .number)),
                projection: IndexProjection(kind: .keysOnly), number: 1, status: .active, backfilling: false,
                throughput: ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0))
        ]
        return table
    }()

    static func put(_ item: Item) -> TransactWriteAction {
        .put(PutItemRequest(tableName: "t", item: item))
    }

    static func delete(_ key: Item) -> TransactWriteAction {
        .delete(DeleteItemRequest(tableName: "t", key: key))
    }

    @Test func putKeyOfTheWrongTypeCancelsWithPutItemsText() {
        let failure = TransactionKeyRules.deferredFailure(of: Self.put(["pk": .number(Number(5))]), table: Self.table)
        #expect(failure?.message == "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
    }

    @Test func lookupKeyOfTheWrongTypeCancelsWithTheSchemaMismatch() {
        let failure = TransactionKeyRules.deferredFailure(of: Self.delete(["pk": .list([.string("x")])]), table: Self.table)
        #expect(failure?.message == "The provided key element does not match the schema")
    }

    @Test func indexKeyOfTheWrongTypeCancelsWithPutItemsText() {
        let failure = TransactionKeyRules.deferredFailure(of: Self.put(["pk": .string("a"), "g": .string("x")]), table: Self.table)
        #expect(failure?.message == "One or more parameter values were invalid: Type mismatch for Index Key g Expected: N Actual: S IndexName: by-g")
    }

    @Test func upFrontFaultsAreNotDeferred() {
        // Empty values, missing or extra attributes and good keys are the up-front checks' business.
        #expect(TransactionKeyRules.deferredFailure(of: Self.put(["pk": .string("")]), table: Self.table) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.put(["other": .string("x")]), table: Self.table) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.delete([:]), table: Self.table) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.delete(["pk": .string("x"), "b": .string("y")]), table: Self.table) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.delete(["pk": .string("x")]), table: Self.table) == nil)
    }
}
