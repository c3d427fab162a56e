import Testing

@testable import KVStore

/// The write pipeline's pure step (`MutationPlanner.plan`), tested without storage: each rule a
/// write applies to an item, once for PutItem, UpdateItem, DeleteItem, batches and transactions.
/// Behaviour per https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html,
/// API_PutItem.html and API_DeleteItem.html.
@Suite("Mutation planner")
struct MutationPlannerTests {
    /// Table `pk` (S) with a global index on `g` (S), TTL on `expires`.
    static let table: TableDefinition = {
        var table = TableDefinition(
            name: "t", storageID: 1, tableID: "id", keySchema: KeySchema(partitionKey: KeyAttribute(name: "pk", type: .string)),
            attributeDefinitions: [KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "g", type: .string)],
            billingMode: .payPerRequest, throughput: ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0),
            creationDate: 0, payPerRequestSince: 0, deletionProtection: false)
        table.globalIndexes = [
            IndexDefinition(
                name: "by-g", isGlobal: true, keySchema: KeySchema(partitionKey: KeyAttribute(name: "g", type: .string)),
                projection: IndexProjection(kind: .keysOnly), number: 1, status: .active, backfilling: false,
                throughput: ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0))
        ]
        table.timeToLive = TimeToLiveDefinition(attributeName: "expires", enabled: true, indexed: true)
        return table
    }()

    static let key: Item = ["pk": .string("k")]
    static let stored: Item = ["pk": .string("k"), "a": .string("old"), "b": .number(Number(1))]
    static let values: [String: AttributeValue] = [
        ":new": .string("new"), ":one": .number(Number(1)), ":empty": .string(""),
    ]

    static func condition(_ text: String, returnOld: Bool = false) throws -> WriteCondition {
        var attributes = ExpressionAttributes(names: nil, values: values)
        return WriteCondition(try ConditionExpression.parse(text, kind: .condition, attributes: &attributes), returnOldItemOnFailure: returnOld)
    }

    static func update(_ text: String, condition: WriteCondition? = nil, returnValues: ReturnValues = .none) throws -> ItemMutation {
        var attributes = ExpressionAttributes(names: nil, values: values)
        let expression = try UpdateExpression.parse(text, attributes: &attributes)
        return ItemMutation(
            .update(key: key, expression: expression, keyAttributes: ["pk"]), condition: condition, returnValues: returnValues)
    }

    static func put(_ item: Item, condition: WriteCondition? = nil, returnValues: ReturnValues = .none) -> ItemMutation {
        ItemMutation(.put(item, size: ItemSize.of(item)), condition: condition, returnValues: returnValues)
    }

    static func plan(_ mutation: ItemMutation, old: Item?) throws(KVError) -> PlannedChange {
        try MutationPlanner.plan(mutation, old: old, table: table)
    }

    static func failure(_ body: () throws -> Void) -> KVError? {
        do {
            try body()
            return nil
        } catch let error as KVError {
            return error
        } catch {
            return nil
        }
    }

    // MARK: conditions

    @Test func failedConditionRefusesEveryKindOfWrite() throws {
        let condition = try Self.condition("attribute_not_exists(pk)")
        let mutations: [ItemMutation] = [
            Self.put(Self.key, condition: condition),
            try Self.update("SET a = :new", condition: condition),
            ItemMutation(.delete, condition: condition),
            ItemMutation(.check, condition: condition),
        ]
        for mutation in mutations {
            let error = Self.failure { _ = try Self.plan(mutation, old: Self.stored) }
            #expect(error?.code == .conditionalCheckFailed)
            #expect(error?.message == "The conditional request failed")
            #expect(error?.item == nil)
        }
    }

    @Test func failedConditionCarriesTheOldItemWhenAsked() throws {
        let condition = try Self.condition("a = :new", returnOld: true)
        let error = Self.failure { _ = try Self.plan(ItemMutation(.delete, condition: condition), old: Self.stored) }
        #expect(error?.item == Self.stored)
    }

    @Test func conditionOnAMissingItemSeesNoAttributes() throws {
        let condition = try Self.condition("attribute_not_exists(pk)")
        let planned = try Self.plan(Self.put(Self.stored, condition: condition), old: nil)
        #expect(planned.newItem == Self.stored)
    }

    @Test func conditionWinsOverFaultsOfTheUpdate() throws {
        // The update would refuse an index key of the empty string; the condition fails first.
        let mutation = try Self.update("SET g = :empty", condition: try Self.condition("a = :new"))
        #expect(Self.failure { _ = try Self.plan(mutation, old: Self.stored) }?.code == .conditionalCheckFailed)
    }

    @Test func insertOnlyRefusesAnExistingKey() {
        let insert = ItemMutation(.put(Self.stored, size: ItemSize.of(Self.stored), insertOnly: true))
        let error = Self.failure { _ = try Self.plan(insert, old: Self.stored) }
        #expect(error?.code == .duplicateItem)
        #expect(error?.message == "Duplicate primary key exists in table")
        #expect((try? Self.plan(insert, old: nil))?.newItem == Self.stored)
    }

    // MARK: return values

    @Test func putAndDeleteReturnTheOldItemForAllOldOnly() throws {
        let item: Item = ["pk": .string("k"), "a": .string("new")]
        #expect(try Self.plan(Self.put(item, returnValues: .allOld), old: Self.stored).returned == Self.stored)
        #expect(try Self.plan(Self.put(item), old: Self.stored).returned == nil)
        #expect(try Self.plan(ItemMutation(.delete, returnValues: .allOld), old: Self.stored).returned == Self.stored)
        #expect(try Self.plan(ItemMutation(.delete), old: Self.stored).returned == nil)
        #expect(try Self.plan(ItemMutation(.delete, returnValues: .allOld), old: nil).returned == nil)
    }

    @Test func updateReturnsWhatReturnValuesAsks() throws {
        let expression = "SET a = :new ADD c :one"
        let new: Item = ["pk": .string("k"), "a": .string("new"), "b": .number(Number(1)), "c": .number(Number(1))]
        #expect(try Self.plan(try Self.update(expression), old: Self.stored).returned == nil)
        #expect(try Self.plan(try Self.update(expression, returnValues: .allOld), old: Self.stored).returned == Self.stored)
        #expect(try Self.plan(try Self.update(expression, returnValues: .allNew), old: Self.stored).returned == new)
        // UPDATED_OLD: only the written paths that existed before; UPDATED_NEW: the written paths after.
        #expect(try Self.plan(try Self.update(expression, returnValues: .updatedOld), old: Self.stored).returned == ["a": .string("old")])
        #expect(
            try Self.plan(try Self.update(expression, returnValues: .updatedNew), old: Self.stored).returned
                == ["a": .string("new"), "c": .number(Number(1))])
        #expect(try Self.plan(try Self.update(expression, returnValues: .updatedOld), old: nil).returned == nil)
    }

    // MARK: effects and capacity

    @Test func effectsOfEachMutation() throws {
        #expect(try Self.plan(ItemMutation(.delete), old: nil).newItem == nil)
        guard case .delete = try Self.plan(ItemMutation(.delete), old: Self.stored).effect else {
            Issue.record("a stored item is deleted")
            return
        }
        guard case .none = try Self.plan(ItemMutation(.delete), old: nil).effect else {
            Issue.record("a missing item is not deleted")
            return
        }
        guard case .none = try Self.plan(ItemMutation(.check), old: Self.stored).effect else {
            Issue.record("a check writes nothing")
            return
        }
        let created = try Self.plan(
            ItemMutation(.update(key: Self.key, expression: nil, keyAttributes: ["pk"])), old: nil)
        #expect(created.newItem == Self.key)
        #expect(created.capacitySize == ItemSize.of(Self.key))
    }

    @Test func updateOfAMissingItemThatOnlyRemovesCreatesNothing() throws {
        let planned = try Self.plan(try Self.update("REMOVE a", returnValues: .allNew), old: nil)
        #expect(planned.createsNothing)
        #expect(planned.newItem == nil)
        #expect(planned.returned == nil)
        // Capacity still counts the key's size, as DynamoDB charges the attempt.
        #expect(planned.capacitySize == ItemSize.of(Self.key))
        #expect(try !Self.plan(try Self.update("REMOVE a"), old: Self.stored).createsNothing)
    }

    // MARK: size limit

    @Test func sentItemsAreRefusedAbove400KB() throws {
        let name = "pk"
        let largest: Item = [name: .string(String(repeating: "x", count: ItemSize.maximum - name.utf8.count))]
        #expect(try ItemSizeLimit.checkSent(largest) == ItemSize.maximum)
        let tooLarge: Item = [name: .string(String(repeating: "x", count: ItemSize.maximum - name.utf8.count + 1))]
        let error = Self.failure { _ = try ItemSizeLimit.checkSent(tooLarge) }
        #expect(error?.code == .validation)
        #expect(error?.message == "Item size has exceeded the maximum allowed size")
    }

    @Test func updatesAreRefusedWhenTheirItemExceeds400KB() throws {
        let filler = String(repeating: "x", count: ItemSize.maximum - ItemSize.of(Self.key) - "a".utf8.count)
        let old: Item = ["pk": .string("k"), "a": .string(filler)]
        #expect(ItemSize.of(old) == ItemSize.maximum)
        // Exactly at the limit is accepted ...
        #expect(try Self.plan(try Self.update("REMOVE b"), old: old).capacitySize == ItemSize.maximum)
        // ... one more attribute is not.
        let error = Self.failure { _ = try Self.plan(try Self.update("SET c = :one"), old: old) }
        #expect(error?.code == .validation)
        #expect(error?.message == "Item size to update has exceeded the maximum allowed size")
    }

    // MARK: key and index rules

    @Test func updatesMayNotChangeKeyAttributes() throws {
        let error = Self.failure { _ = try Self.plan(try Self.update("SET pk = :new"), old: Self.stored) }
        #expect(error?.code == .validation)
        #expect(error?.message == "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")
    }

    @Test func updatesMayNotEmptyAnIndexKey() throws {
        let error = Self.failure { _ = try Self.plan(try Self.update("SET g = :empty"), old: Self.stored) }
        #expect(error?.code == .validation)
        #expect(error?.message.contains("g") == true)
    }

    // MARK: reads the plan needs

    @Test func onlyPlainPutsMaySkipReadingTheStoredItem() throws {
        #expect(!Self.put(Self.stored).needsOldItem(derivedData: false))
        #expect(Self.put(Self.stored).needsOldItem(derivedData: true))
        #expect(Self.put(Self.stored, returnValues: .allOld).needsOldItem(derivedData: false))
        #expect(Self.put(Self.stored, condition: try Self.condition("attribute_exists(pk)")).needsOldItem(derivedData: false))
        #expect(ItemMutation(.put(Self.stored, size: 1, insertOnly: true)).needsOldItem(derivedData: false))
        #expect(ItemMutation(.delete).needsOldItem(derivedData: false))
        #expect(try Self.update("SET a = :new").needsOldItem(derivedData: false))
        #expect(ItemMutation(.check).needsOldItem(derivedData: false))
    }

    // MARK: TTL expiry row

    @Test func expiryRowFollowsTheTTLAttribute() throws {
        let expires: Item = ["pk": .string("k"), "expires": .number(Number(2_000_000_000))]
        let put = try Self.plan(Self.put(expires), old: Self.stored)
        #expect(ExpiryRowChange.between(old: Self.stored, new: put.newItem, attribute: "expires") == ExpiryRowChange(removed: nil, added: 2_000_000_000))
        let later = try Self.plan(try Self.update("SET expires = expires + :one"), old: expires)
        #expect(
            ExpiryRowChange.between(old: expires, new: later.newItem, attribute: "expires")
                == ExpiryRowChange(removed: 2_000_000_000, added: 2_000_000_001))
        let deleted = try Self.plan(ItemMutation(.delete), old: expires)
        #expect(ExpiryRowChange.between(old: expires, new: deleted.newItem, attribute: "expires") == ExpiryRowChange(removed: 2_000_000_000, added: nil))
        // Unchanged expiry, or a TTL attribute that is not a Number: the row stays as it is.
        let same = try Self.plan(try Self.update("SET a = :new"), old: expires)
        #expect(ExpiryRowChange.between(old: expires, new: same.newItem, attribute: "expires") == nil)
        let text: Item = ["pk": .string("k"), "expires": .string("2000000000")]
        #expect(ExpiryRowChange.between(old: nil, new: text, attribute: "expires") == nil)
    }
}
