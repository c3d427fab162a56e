/// Which key faults of a TransactWriteItems action DynamoDB reports while the transaction runs
/// (cancelling it with a `ValidationError` reason at that action's position) instead of refusing
/// the whole request up front. A key attribute of the wrong type is found at run time; an empty
/// string or binary key value, a missing key attribute and the other key checks stay up-front
/// ValidationExceptions (`KeyValidator`).
///
/// Recorded against DynamoDB in four regions by the Parity Suite (paritysuite/dynamodb-conformance
/// PRs #46 and #60, tests/tier3/error-messages/transactWriteItems.test.ts): a Put item's key of the
/// wrong type or a non-scalar cancels with PutItem's "Type mismatch for key" text; a lookup `Key`
/// (Update, Delete, ConditionCheck) of the wrong type cancels with "The provided key element does
/// not match the schema". A Put item's secondary index key of the wrong type cancels too, with
/// PutItem's "Type mismatch for Index Key" text.
enum TransactionKeyRules {
    static func deferredFailure(of action: TransactWriteAction, table: TableDefinition) -> KVError? {
        let schema = table.keySchema
        let attributes = schema.attributes
        switch action {
        case .put(let put):
            for attribute in attributes {
                if let value = put.item[attribute.name], value.scalarType != attribute.type {
                    return .validation(
                        "One or more parameter values were invalid: Type mismatch for key \(attribute.name) expected: "
                            + "\(attribute.type.rawValue) actual: \(value.typeDescriptor)")
                }
            }
            // A secondary index key of the wrong type too (the Parity Suite's
            // tests/tier2/transactions/transactIndexKeys.test.ts, checked against DynamoDB).
            return IndexKeys.firstTypeMismatch(put.item, for: table)
        case .update(let update):
            return lookupFailure(update.key, attributes)
        case .delete(let delete):
            return lookupFailure(delete.key, attributes)
        case .conditionCheck(let check):
            return lookupFailure(check.key, attributes)
        }
    }

    /// An Update whose `SET` gives an index key attribute an empty string or binary straight
    /// from a value is refused up front, before the transaction runs (the Parity Suite's
    /// tests/tier2/transactions/transactIndexKeys.test.ts, checked against DynamoDB).
    static func checkUpFront(_ action: TransactWriteAction, table: TableDefinition) throws(KVError) {
        guard case .update(let update) = action, let expression = update.update,
            !table.globalIndexes.isEmpty || !table.localIndexes.isEmpty
        else { return }
        let indexAttributes = table.indexes.flatMap(\.keySchema.attributes)
        for case .set(let path, .value(let value)) in expression.actions where path.elements.count == 1 {
            guard let name = path.topLevelName,
                let attribute = indexAttributes.first(where: { $0.name == name }), value.scalarType == attribute.type
            else { continue }
            switch value {
            case .string(let text) where text.isEmpty: throw IndexKeys.emptyByUpdate(attribute)
            case .binary(let bytes) where bytes.isEmpty: throw IndexKeys.emptyByUpdate(attribute)
            default: continue
            }
        }
    }

    /// Only a key with exactly the schema's attributes, one of them of the wrong type.
    private static func lookupFailure(_ key: Item, _ attributes: [KeyAttribute]) -> KVError? {
        guard key.count == attributes.count, attributes.allSatisfy({ key[$0.name] != nil }) else { return nil }
        if attributes.contains(where: { key[$0.name]?.scalarType != $0.type }) {
            return KeyValidator.mismatch
        }
        return nil
    }
}
