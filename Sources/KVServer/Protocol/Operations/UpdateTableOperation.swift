import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
enum UpdateTableOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations)
        let definitionList = try request.array("AttributeDefinitions")
        let definitions = try AttributeDefinitionsWire.decode(definitionList, into: &violations)
        let throughput = try ThroughputWire.decode(request.object("ProvisionedThroughput"), path: "provisionedThroughput", into: &violations)
        let billing = try request.string("BillingMode")
        violations.oneOf(billing, ["PROVISIONED", "PAY_PER_REQUEST"], at: "billingMode")
        let deletionProtection = try request.bool("DeletionProtectionEnabled")
        let updateList = try request.array("GlobalSecondaryIndexUpdates")
        var updates: [IndexUpdate] = []
        // Each entry names exactly one action; DynamoDB's texts for the other cases as recorded
        // against the live service by ack-api-quirks (DDB-TABLE-160).
        var entryProblem: String?
        for (offset, element) in (updateList ?? []).enumerated() {
            let update = try WireObject(element)
            let path = "globalSecondaryIndexUpdates.\(offset + 1).member"
            let actions = ["Create", "Delete", "Update"].filter { update[$0] != nil && update[$0] != .null }
            if actions.count != 1, entryProblem == nil {
                entryProblem = actions.isEmpty
                    ? "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"
                    : "One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"
            }
            if let create = update["Create"] {
                updates.append(.create(try IndexWire.decode(create, path: "\(path).create", global: true, into: &violations)))
            } else if let delete = try update.object("Delete") {
                let name = try delete.string("IndexName")
                violations.notNull(name, at: "\(path).delete.indexName")
                updates.append(.delete(name ?? ""))
            } else if let change = try update.object("Update") {
                let name = try change.string("IndexName")
                violations.notNull(name, at: "\(path).update.indexName")
                let indexThroughput = try ThroughputWire.decode(
                    change.object("ProvisionedThroughput"), path: "\(path).update.provisionedThroughput", into: &violations)
                violations.notNull(indexThroughput, at: "\(path).update.provisionedThroughput")
                if let indexThroughput { updates.append(.update(name ?? "", indexThroughput)) }
            }
        }
        let stream = try StreamWire.specification(request, into: &violations)
        try violations.check()
        if let entryProblem { throw KVError.validation(entryProblem) }
        var update = UpdateTableRequest(
            tableName: tableName ?? "",
            attributeDefinitions: definitionList == nil ? nil : definitions,
            billingMode: billing.flatMap(BillingMode.init(rawValue:)),
            provisionedThroughput: throughput,
            deletionProtection: deletionProtection,
            indexUpdates: updateList == nil ? nil : updates,
            stream: stream)
        update.onDemandThroughput = try OnDemandThroughputWire.decode(request)
        let description = try await engine.updateTable(update)
        return .object(["TableDescription": TableDescriptionWire.encode(description, region: context.region)])
    }
}
