/// DynamoDB's rules for the `GlobalSecondaryIndexUpdates` of one UpdateTable request, checked
/// before any of them is applied. The texts and error types are DynamoDB's as recorded against
/// the live service by ack-api-quirks (findings DDB-TABLE-159, -160, -174, -359, -375 and the
/// ValidationException catalogue DDB-TABLE-442, 2026-10); the API reference publishes none.
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
enum GlobalIndexUpdateRules {
    /// Two creates or deletes in one request, or one while another index is being created.
    static let oneOnlineIndexChange = KVError(
        .limitExceeded, "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")

    static func check(_ request: UpdateTableRequest, table: TableDefinition) throws(KVError) {
        guard let updates = request.indexUpdates else { return }
        // An empty list alone counts as no change at all (checked by the caller); next to a
        // real change it is refused, and that change is not applied.
        if updates.isEmpty {
            throw .validation("One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is empty")
        }
        if request.stream != nil {
            throw .validation("One or more parameter values were invalid: You cannot create or delete index while changing stream status")
        }
        var named: Set<String> = []
        for update in updates where !named.insert(update.indexName).inserted {
            throw .validation(
                "One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: \(update.indexName)"
            )
        }
        let structural = updates.filter(\.createsOrDeletes)
        if structural.count > 1 {
            throw oneOnlineIndexChange
        }
        guard let change = structural.first else { return }
        if request.provisionedThroughput != nil {
            throw .validation("One or more parameter values were invalid: You cannot create or delete index while updating table IOPS")
        }
        if case .create = change, request.deletionProtection != nil {
            throw .validation("One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request")
        }
    }

    /// Delete or Update of an index the table does not have as a global one.
    static func missingIndex(_ name: String, table: TableDefinition, action: String) -> KVError {
        if table.localIndexes.contains(where: { $0.name == name }) {
            return .validation("Cannot \(action) an index that is not a GlobalSecondaryIndex: \(name)")
        }
        return .resourceNotFound("Requested resource not found: Index \(name) for table \(table.name)")
    }
}

extension IndexUpdate {
    var indexName: String {
        switch self {
        case .create(let index): index.name
        case .delete(let name), .update(let name, _): name
        }
    }

    var createsOrDeletes: Bool {
        if case .update = self { return false }
        return true
    }
}
