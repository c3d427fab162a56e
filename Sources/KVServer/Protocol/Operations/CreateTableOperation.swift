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
        var violations = ConstraintViolations()

        var definitions: [KeyAttribute] = []
        let definitionList = try request.array("AttributeDefinitions")
        violations.notNull(definitionList, at: "attributeDefinitions")
        for (index, element) in (definitionList ?? []).enumerated() {
            let definition = try WireObject(element)
            let path = "attributeDefinitions.\(index + 1).member"
            let name = try definition.string("AttributeName")
            let type = try definition.string("AttributeType")
            violations.notNull(name, at: "\(path).attributeName")
            violations.notNull(type, at: "\(path).attributeType")
            violations.oneOf(type, ["B", "N", "S"], at: "\(path).attributeType")
            if let name, let type, let scalar = ScalarType(rawValue: type) {
                definitions.append(KeyAttribute(name: name, type: scalar))
            }
        }

        let tableName = try TableName.read(request, minLength: 3, into: &violations)

        var keySchema: [KeySchemaElement] = []
        let keyList = try request.array("KeySchema")
        violations.notNull(keyList, at: "keySchema")
        for (index, element) in (keyList ?? []).enumerated() {
            let key = try WireObject(element)
            let path = "keySchema.\(index + 1).member"
            let name = try key.string("AttributeName")
            let type = try key.string("KeyType")
            violations.notNull(name, at: "\(path).attributeName")
            violations.notNull(type, at: "\(path).keyType")
            violations.oneOf(type, ["HASH", "RANGE"], at: "\(path).keyType")
            if let name, let type, let keyType = KeyType(rawValue: type) {
                keySchema.append(KeySchemaElement(attributeName: name, keyType: keyType))
            }
        }
        violations.count(keyList, rendered: renderKeySchema(keyList ?? []), min: 1, max: 2, at: "keySchema")

        var throughput: ProvisionedThroughput?
        if let provisioned = try request.object("ProvisionedThroughput") {
            let read = try provisioned.integer("ReadCapacityUnits")
            let write = try provisioned.integer("WriteCapacityUnits")
            violations.notNull(read, at: "provisionedThroughput.readCapacityUnits")
            violations.range(read, min: 1, at: "provisionedThroughput.readCapacityUnits")
            violations.notNull(write, at: "provisionedThroughput.writeCapacityUnits")
            violations.range(write, min: 1, at: "provisionedThroughput.writeCapacityUnits")
            if let read, let write {
                throughput = ProvisionedThroughput(readCapacityUnits: read, writeCapacityUnits: write)
            }
        }

        let billing = try request.string("BillingMode")
        violations.oneOf(billing, ["PROVISIONED", "PAY_PER_REQUEST"], at: "billingMode")
        let deletionProtection = try request.bool("DeletionProtectionEnabled") ?? false
        try violations.check()

        for unsupported in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] where request[unsupported] != nil {
            throw KVError.validation("\(unsupported) are not supported by this server yet")
        }

        return CreateTableRequest(
            tableName: tableName ?? "",
            attributeDefinitions: definitions,
            keySchema: keySchema,
            billingMode: billing.flatMap(BillingMode.init(rawValue:)) ?? .provisioned,
            provisionedThroughput: throughput,
            deletionProtection: deletionProtection)
    }

    private static func renderKeySchema(_ elements: [JSONValue]) -> String {
        let rendered = elements.map { element -> String in
            guard case .object(let fields) = element else { return "null" }
            let name = fields["AttributeName"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "null"
            let type = fields["KeyType"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "null"
            return "KeySchemaElement(attributeName=\(name), keyType=\(type))"
        }
        return "[\(rendered.joined(separator: ", "))]"
    }
}
