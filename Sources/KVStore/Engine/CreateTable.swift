#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

/// A secondary index as CreateTable or UpdateTable asks for it.
public struct IndexRequest: Sendable {
    public var name: String
    public var keySchema: [KeySchemaElement]
    /// nil when the request had no ProjectionType (DynamoDB's "Unknown ProjectionType: null").
    public var projectionKind: IndexProjection.Kind?
    public var nonKeyAttributes: [String]?
    public var provisionedThroughput: ProvisionedThroughput?

    public init(
        name: String, keySchema: [KeySchemaElement], projectionKind: IndexProjection.Kind?,
        nonKeyAttributes: [String]?, provisionedThroughput: ProvisionedThroughput?
    ) {
        self.name = name
        self.keySchema = keySchema
        self.projectionKind = projectionKind
        self.nonKeyAttributes = nonKeyAttributes
        self.provisionedThroughput = provisionedThroughput
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
    public var globalSecondaryIndexes: [IndexRequest]?
    public var localSecondaryIndexes: [IndexRequest]?
    public var stream: StreamSpecification?
    /// `Tags`, already checked with `TagRules`.
    public var tags: [TableTag] = []
    /// `OnDemandThroughput`, kept for a PAY_PER_REQUEST table.
    public var onDemandThroughput: OnDemandThroughput?

    public init(
        tableName: String, attributeDefinitions: [KeyAttribute], keySchema: [KeySchemaElement],
        billingMode: BillingMode, provisionedThroughput: ProvisionedThroughput?, deletionProtection: Bool,
        globalSecondaryIndexes: [IndexRequest]? = nil, localSecondaryIndexes: [IndexRequest]? = nil,
        stream: StreamSpecification? = nil
    ) {
        self.stream = stream
        self.tableName = tableName
        self.attributeDefinitions = attributeDefinitions
        self.keySchema = keySchema
        self.billingMode = billingMode
        self.provisionedThroughput = provisionedThroughput
        self.deletionProtection = deletionProtection
        self.globalSecondaryIndexes = globalSecondaryIndexes
        self.localSecondaryIndexes = localSecondaryIndexes
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
    public func createTable(_ request: CreateTableRequest) async throws -> TableDescription {
        try await createTable(request, restoring: nil)
    }

    /// CreateTable, or the creation of a table being restored (`RestoreSummary` in progress) or
    /// imported (`importing`): such a table is CREATING until its items are in.
    func createTable(
        _ request: CreateTableRequest, restoring: RestoreSummary?, importing: Bool = false
    ) async throws -> TableDescription {
        let throughput = try TableRules.throughput(request.billingMode, request.provisionedThroughput)
        let keySchema = try TableRules.keySchema(
            request.keySchema, definitions: request.attributeDefinitions,
            hasIndexes: request.globalSecondaryIndexes != nil || request.localSecondaryIndexes != nil)
        var (global, local) = try TableRules.indexes(request, tableKey: keySchema)
        if let stream = request.stream {
            try StreamLifecycle.validate(stream, creating: true, table: nil)
        }
        let stream = request.stream
        var number: Int64 = 1
        for position in global.indices {
            global[position].number = number
            number += 1
        }
        for position in local.indices {
            local[position].number = number
            number += 1
        }
        let created = now()
        var proposal = TableDefinition(
            name: request.tableName, storageID: 0, tableID: UUID().uuidString.lowercased(),
            keySchema: keySchema, attributeDefinitions: request.attributeDefinitions,
            billingMode: request.billingMode, throughput: throughput, creationDate: created,
            payPerRequestSince: request.billingMode == .payPerRequest ? created : nil,
            deletionProtection: request.deletionProtection)
        proposal.globalIndexes = global
        proposal.localIndexes = local
        proposal.nextIndexNumber = number
        proposal.restoreSummary = restoring
        proposal.onDemandThroughput = request.onDemandThroughput
        proposal.importInProgress = importing ? true : nil
        if !request.tags.isEmpty {
            proposal.tags = try TagRules.merged([], request.tags)
        }
        let catalog = self.catalog
        let readyProposal = proposal
        do {
            let definition = try await storage.write { connection in
                var definition = readyProposal
                definition.storageID = try connection.nextStorageID()
                if let stream, stream.enabled {
                    try StreamLifecycle.apply(stream, to: &definition, now: created, connection: connection)
                }
                // A table of that name: the body throws, so its savepoint (the stream's shard too) is rolled back.
                guard try connection.createTable(definition) else {
                    throw KVError.resourceInUse("Table already exists: \(readyProposal.name)")
                }
                catalog.put(definition)
                return definition
            }
            return TableDescription(
                definition: definition, status: definition.isLoadingItems ? .creating : .active, itemCount: 0, sizeBytes: 0)
        } catch let error where self.isStorageFailure(error) {
            await reloadCatalog()
            throw error
        }
    }
}
