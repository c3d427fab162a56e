import Testing

@testable import KVStore

/// Which TransactWriteItems key faults wait for the run (a `ValidationError` cancellation reason)
/// and which are left to the up-front checks. See `TransactionKeyRules`.
@Suite("Transaction key rules")
struct TransactionKeyRulesTests {
    static let schema = KeySchema(partitionKey: KeyAttribute(name: "pk", type: .string), sortKey: nil)

    static func put(_ item: Item) -> TransactWriteAction {
        .put(PutItemRequest(tableName: "t", item: item))
    }

    static func delete(_ key: Item) -> TransactWriteAction {
        .delete(DeleteItemRequest(tableName: "t", key: key))
    }

    @Test func putKeyOfTheWrongTypeCancelsWithPutItemsText() {
        let failure = TransactionKeyRules.deferredFailure(of: Self.put(["pk": .number(Number(5))]), schema: Self.schema)
        #expect(failure?.message == "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N")
    }

    @Test func lookupKeyOfTheWrongTypeCancelsWithTheSchemaMismatch() {
        let failure = TransactionKeyRules.deferredFailure(of: Self.delete(["pk": .list([.string("x")])]), schema: Self.schema)
        #expect(failure?.message == "The provided key element does not match the schema")
    }

    @Test func upFrontFaultsAreNotDeferred() {
        // Empty values, missing or extra attributes and good keys are the up-front checks' business.
        #expect(TransactionKeyRules.deferredFailure(of: Self.put(["pk": .string("")]), schema: Self.schema) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.put(["other": .string("x")]), schema: Self.schema) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.delete([:]), schema: Self.schema) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.delete(["pk": .string("x"), "b": .string("y")]), schema: Self.schema) == nil)
        #expect(TransactionKeyRules.deferredFailure(of: Self.delete(["pk": .string("x")]), schema: Self.schema) == nil)
    }
}
