import Foundation

public enum KeyType: String, Sendable {
    case hash = "HASH"
    case range = "RANGE"
}

public struct KeySchemaElement: Sendable {
    public var attributeName: String
    public var keyType: KeyType

    public init(attributeName: String, keyType: KeyType) {
        self.attributeName = attributeName
        self.keyType = keyType
    }
}

/// CreateTable's parameters after their shapes were checked by the protocol layer.
public struct CreateTableRequest: Sendable {
    public var tableName: String
    public var attributeDefinitions: [KeyAttribute]
    public var keySchema: [KeySchemaElement]
    public var billingMode: BillingMode
    public var provisionedThroughput: ProvisionedThroughput?
    public var deletionProtection: Bool

    public init(
        tableName: String, attributeDefinitions: [KeyAttribute], keySchema: [KeySchemaElement],
        billingMode: BillingMode, provisionedThroughput: ProvisionedThroughput?, deletionProtection: Bool
    ) {
        self.tableName = tableName
        self.attributeDefinitions = attributeDefinitions
        self.keySchema = keySchema
        self.billingMode = billingMode
        self.provisionedThroughput = provisionedThroughput
        self.deletionProtection = deletionProtection
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
    public func createTable(_ request: CreateTableRequest) async throws -> TableDescription {
        let keySchema = try Self.validatedKeySchema(request)
        let throughput = try Self.validatedThroughput(request)
        let created = now()
        let proposal = TableDefinition(
            name: request.tableName, storageID: 0, tableID: UUID().uuidString.lowercased(),
            keySchema: keySchema, attributeDefinitions: request.attributeDefinitions,
            billingMode: request.billingMode, throughput: throughput, creationDate: created,
            payPerRequestSince: request.billingMode == .payPerRequest ? created : nil,
            deletionProtection: request.deletionProtection)
        let catalog = self.catalog
        do {
            let definition = try await database.write { connection in
                let exists = try connection.statement("SELECT 1 FROM kv_tables WHERE name = ?")
                defer { exists.reset() }
                try exists.bind(1, proposal.name)
                if try exists.step() {
                    throw KVError.resourceInUse("Table already exists: \(proposal.name)")
                }
                let next = try connection.statement("SELECT COALESCE(MAX(storage_id), 0) + 1 FROM kv_tables")
                defer { next.reset() }
                _ = try next.step()
                var definition = proposal
                definition.storageID = next.int64(0)
                let insert = try connection.statement(
                    "INSERT INTO kv_tables (name, storage_id, definition) VALUES (?, ?, ?)")
                defer { insert.reset() }
                try insert.bind(1, definition.name)
                try insert.bind(2, definition.storageID)
                try insert.bind(3, try Schema.encode(definition))
                try insert.run()
                try Schema.createItemTable(definition.sqlTableName, in: connection)
                catalog.put(definition)
                return definition
            }
            return TableDescription(definition: definition, status: .active, itemCount: 0, sizeBytes: 0)
        } catch let error as SQLiteError {
            await reloadCatalog()
            throw error
        }
    }

    static func validatedThroughput(_ request: CreateTableRequest) throws(KVError) -> ProvisionedThroughput {
        switch request.billingMode {
        case .payPerRequest:
            if request.provisionedThroughput != nil {
                throw .validation(
                    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
                )
            }
            return ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0)
        case .provisioned:
            guard let throughput = request.provisionedThroughput else {
                throw .validation(
                    "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
                )
            }
            let bound: Int64 = 1_000_000_000_000
            if throughput.readCapacityUnits > bound {
                throw .validation("Given value \(throughput.readCapacityUnits) for ReadCapacityUnits is out of bounds")
            }
            if throughput.writeCapacityUnits > bound {
                throw .validation("Given value \(throughput.writeCapacityUnits) for WriteCapacityUnits is out of bounds")
            }
            return throughput
        }
    }

    /// DynamoDB's key schema rules, checked in DynamoDB's order.
    static func validatedKeySchema(_ request: CreateTableRequest) throws(KVError) -> KeySchema {
        let definedNames = request.attributeDefinitions.map(\.attributeName)
        let keyNames = request.keySchema.map(\.attributeName)
        if Set(definedNames).count != definedNames.count {
            throw .validation("Cannot have two attributes with the same name")
        }
        if keyNames.count > definedNames.count {
            throw .validation("Invalid KeySchema: Some index key attribute have no definition")
        }
        if keyNames.contains(where: { !definedNames.contains($0) }) {
            throw .validation(
                "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [\(keyNames.joined(separator: ", "))], AttributeDefinitions: [\(definedNames.joined(separator: ", "))]"
            )
        }
        guard let first = request.keySchema.first else {
            throw .validation("Invalid KeySchema: Some index key attribute have no definition")
        }
        let second = request.keySchema.dropFirst().first
        if let second, second.attributeName == first.attributeName {
            throw .validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
        }
        if first.keyType != .hash {
            throw .validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
        }
        if let second, second.keyType != .range {
            throw .validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
        }
        if keyNames.count != definedNames.count {
            throw .validation(
                "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
            )
        }
        func attribute(_ name: String) -> KeyAttribute {
            request.attributeDefinitions.first { $0.name == name } ?? KeyAttribute(name: name, type: .string)
        }
        return KeySchema(
            partitionKey: attribute(first.attributeName),
            sortKey: second.map { attribute($0.attributeName) })
    }
}

extension KeyAttribute {
    var attributeName: String { name }
}
