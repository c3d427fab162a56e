/// A change to the global secondary indexes of a table (`GlobalSecondaryIndexUpdates`).
public enum IndexUpdate: Sendable {
    case create(IndexRequest)
    case delete(String)
    case update(String, ProvisionedThroughput)
}

public struct UpdateTableRequest: Sendable {
    public var tableName: String
    public var attributeDefinitions: [KeyAttribute]?
    public var billingMode: BillingMode?
    public var provisionedThroughput: ProvisionedThroughput?
    public var deletionProtection: Bool?
    public var indexUpdates: [IndexUpdate]
    public var stream: StreamSpecification?
    /// `OnDemandThroughput`: replaces the table's maxima.
    public var onDemandThroughput: OnDemandThroughput?

    public init(
        tableName: String, attributeDefinitions: [KeyAttribute]? = nil, billingMode: BillingMode? = nil,
        provisionedThroughput: ProvisionedThroughput? = nil, deletionProtection: Bool? = nil,
        indexUpdates: [IndexUpdate] = [], stream: StreamSpecification? = nil
    ) {
        self.stream = stream
        self.tableName = tableName
        self.attributeDefinitions = attributeDefinitions
        self.billingMode = billingMode
        self.provisionedThroughput = provisionedThroughput
        self.deletionProtection = deletionProtection
        self.indexUpdates = indexUpdates
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
    /// A new global index is created empty with status CREATING and filled in the background
    /// (`IndexBackfill`) while the table stays readable and writable.
    public func updateTable(_ request: UpdateTableRequest) async throws -> TableDescription {
        guard let original = catalog.table(named: request.tableName) else {
            throw KVError.resourceNotFound("Requested resource not found: Table: \(request.tableName) not found")
        }
        if request.attributeDefinitions == nil, request.billingMode == nil, request.provisionedThroughput == nil,
            request.deletionProtection == nil, request.indexUpdates.isEmpty, request.stream == nil,
            request.onDemandThroughput == nil
        {
            throw KVError.validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"
            )
        }
        if let stream = request.stream {
            try StreamLifecycle.validate(stream, creating: false, table: original)
            if !request.indexUpdates.isEmpty {
                throw KVError.validation(
                    "One or more parameter values were invalid: You cannot create or delete index while changing stream status")
            }
        }
        var updated = try Self.applyBillingChanges(request, to: original, now: now())
        let changedAt = now()
        var created: IndexDefinition?
        var droppedTables: [String] = []
        if request.indexUpdates.count > 1 {
            throw KVError.validation(
                "One or more parameter values were invalid: Only one global secondary index update per UpdateTable call is supported")
        }
        for update in request.indexUpdates {
            switch update {
            case .create(let index):
                if original.globalIndexes.contains(where: { $0.status == .creating }) {
                    throw KVError(
                        .limitExceeded,
                        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
                }
                guard original.index(named: index.name) == nil else {
                    throw KVError.validation(
                        "One or more parameter values were invalid: Attempting to create an index which already exists")
                }
                let definitions = request.attributeDefinitions ?? []
                let schema = try TableRules.indexKeySchema(index.keySchema, definitions: definitions, multiAttribute: true)
                for attribute in schema.attributes {
                    if let existing = original.attributeDefinitions.first(where: { $0.name == attribute.name }),
                        existing.type != attribute.type
                    {
                        throw KVError.validation(
                            "One or more parameter values were invalid: Attribute \(attribute.name) has conflicting types in AttributeDefinitions")
                    }
                }
                if updated.globalIndexes.count >= TableRules.maxGlobalIndexes {
                    throw KVError.validation(
                        "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of \(TableRules.maxGlobalIndexes)")
                }
                let projection = try TableRules.projection(index)
                let throughput = try TableRules.globalIndexThroughput(index, billingMode: updated.billingMode)
                let definition = IndexDefinition(
                    name: index.name, isGlobal: true, keySchema: schema, projection: projection,
                    number: updated.nextIndexNumber, status: .creating, backfilling: true, throughput: throughput)
                updated.nextIndexNumber += 1
                updated.globalIndexes.append(definition)
                try TableRules.checkProjectedAttributeCount(updated.indexes)
                for attribute in definitions where !updated.attributeDefinitions.contains(where: { $0.name == attribute.name }) {
                    updated.attributeDefinitions.append(attribute)
                }
                created = definition
            case .delete(let name):
                guard let position = updated.globalIndexes.firstIndex(where: { $0.name == name }) else {
                    throw KVError.resourceNotFound("Requested resource not found: Index: \(name) not found")
                }
                droppedTables.append(updated.globalIndexes[position].sqlTableName(of: updated))
                updated.globalIndexes.remove(at: position)
                let used = Set(updated.keySchema.attributeNames + updated.indexes.flatMap(\.keySchema.attributeNames))
                updated.attributeDefinitions.removeAll { !used.contains($0.name) }
            case .update(let name, let throughput):
                guard let position = updated.globalIndexes.firstIndex(where: { $0.name == name }) else {
                    throw KVError.resourceNotFound("Requested resource not found: Index: \(name) not found")
                }
                guard updated.billingMode == .provisioned else {
                    throw KVError.validation(
                        "One or more parameter values were invalid: ProvisionedThroughput cannot be specified for index: \(name) when BillingMode is PAY_PER_REQUEST")
                }
                updated.globalIndexes[position].throughput = throughput
            }
        }
        let catalog = self.catalog
        let proposal = updated
        let dropped = droppedTables
        let newIndex = created
        let streamChange = request.stream
        let final: TableDefinition
        do {
            final = try await database.write { connection in
                let current = try catalog.current(original)
                var final = proposal
                // Keep what changed since the request read the table: stream and TTL settings, and
                // the progress of index backfills (a finished backfill must not turn CREATING again).
                final.streams = current.streams
                final.timeToLive = current.timeToLive
                for position in final.globalIndexes.indices {
                    if let live = current.globalIndexes.first(where: { $0.number == final.globalIndexes[position].number }) {
                        final.globalIndexes[position].status = live.status
                        final.globalIndexes[position].backfilling = live.backfilling
                    }
                }
                if let streamChange {
                    try StreamLifecycle.apply(streamChange, to: &final, now: changedAt, connection: connection)
                }
                try Schema.saveDefinition(final, in: connection)
                if let newIndex {
                    try Schema.createIndexTable(newIndex.sqlTableName(of: final), in: connection)
                }
                for table in dropped {
                    try connection.execute("DROP TABLE IF EXISTS \(table)")
                }
                catalog.put(final)
                return final
            }
        } catch let error where KVEngine.isStorageFailure(error) {
            await reloadCatalog()
            throw error
        }
        if let created {
            startBackfill(table: final, index: created)
        }
        return try await describe(final, status: .active)
    }

    static func applyBillingChanges(_ request: UpdateTableRequest, to table: TableDefinition, now: Double) throws(KVError)
        -> TableDefinition
    {
        var updated = table
        if let protection = request.deletionProtection {
            updated.deletionProtection = protection
        }
        if let maxima = request.onDemandThroughput {
            updated.onDemandThroughput = maxima
        }
        let mode = request.billingMode ?? table.billingMode
        if mode == .payPerRequest {
            if request.provisionedThroughput != nil {
                throw .validation(
                    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
                )
            }
            if table.billingMode != .payPerRequest {
                updated.billingMode = .payPerRequest
                updated.payPerRequestSince = now
                updated.throughput = ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0)
                for position in updated.globalIndexes.indices {
                    updated.globalIndexes[position].throughput = ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0)
                }
            }
        } else {
            if table.billingMode == .payPerRequest {
                guard let throughput = request.provisionedThroughput else {
                    throw .validation(
                        "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
                }
                updated.billingMode = .provisioned
                updated.throughput = throughput
                for position in updated.globalIndexes.indices {
                    updated.globalIndexes[position].throughput = throughput
                }
            } else if let throughput = request.provisionedThroughput {
                if throughput == table.throughput, request.indexUpdates.isEmpty {
                    throw .validation(
                        "The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: \(throughput.readCapacityUnits). Requested ReadCapacityUnits: \(throughput.readCapacityUnits). Current WriteCapacityUnits provisioned for the table: \(throughput.writeCapacityUnits). Requested WriteCapacityUnits: \(throughput.writeCapacityUnits). Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
                    )
                }
                updated.throughput = throughput
            }
        }
        return updated
    }
}
