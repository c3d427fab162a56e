import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
enum CreateTableOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try decode(body)
        let description = try await engine.createTable(request)
        return .object(["TableDescription": TableDescriptionWire.encode(description, region: context.region)])
    }

    static func decode(_ body: JSONValue) throws(KVError) -> CreateTableRequest {
        let request = try WireObject(body)
        // Before every other check, in DynamoDB's own wording rather than the "must not be null"
        // of other operations (Parity Suite tier3/error-messages/createTable, validated against DynamoDB).
        guard try request.string("TableName") != nil else {
            throw KVError.validation("The parameter 'TableName' is required but was not present in the request")
        }
        var violations = ConstraintViolations()
        let definitionList = try request.array("AttributeDefinitions")
        violations.notNull(definitionList, at: "attributeDefinitions")
        let definitions = try AttributeDefinitionsWire.decode(definitionList, into: &violations)
        let tableName = try TableName.read(request, minLength: 3, into: &violations)
        let keySchema = try KeySchemaWire.decode(request.array("KeySchema"), path: "keySchema", into: &violations)
        let throughput = try ThroughputWire.decode(request.object("ProvisionedThroughput"), path: "provisionedThroughput", into: &violations)
        let billing = try request.string("BillingMode")
        violations.oneOf(billing, ["PROVISIONED", "PAY_PER_REQUEST"], at: "billingMode")
        let deletionProtection = try request.bool("DeletionProtectionEnabled") ?? false
        let local = try request.array("LocalSecondaryIndexes")?.enumerated().map { (offset, element) throws(KVError) in
            try IndexWire.decode(element, path: "localSecondaryIndexes.\(offset + 1).member", global: false, into: &violations)
        }
        let global = try request.array("GlobalSecondaryIndexes")?.enumerated().map { (offset, element) throws(KVError) in
            try IndexWire.decode(element, path: "globalSecondaryIndexes.\(offset + 1).member", global: true, into: &violations)
        }
        let stream = try StreamWire.specification(request, into: &violations)
        let tagElements = try request.array("Tags")
        try violations.check()
        let tags = try tagElements.map { elements throws(KVError) in try TagsWire.tags(elements) } ?? []
        var createRequest = CreateTableRequest(
            tableName: tableName ?? "",
            attributeDefinitions: definitions,
            keySchema: keySchema,
            billingMode: billing.flatMap(BillingMode.init(rawValue:)) ?? .provisioned,
            provisionedThroughput: throughput,
            deletionProtection: deletionProtection,
            globalSecondaryIndexes: global,
            localSecondaryIndexes: local,
            stream: stream)
        createRequest.tags = tags
        createRequest.onDemandThroughput = try OnDemandThroughputWire.decode(request)
        return createRequest
    }
}
