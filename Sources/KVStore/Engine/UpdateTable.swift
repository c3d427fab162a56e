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
    /// nil when the request had no `GlobalSecondaryIndexUpdates` (an empty list is refused).
    public var indexUpdates: [IndexUpdate]?
    public var stream: StreamSpecification?
    /// `OnDemandThroughput`: replaces the table's maxima.
    public var onDemandThroughput: OnDemandThroughput?

    public init(
        tableName: String, attributeDefinitions: [KeyAttribute]? = nil, billingMode: BillingMode? = nil,
        provisionedThroughput: ProvisionedThroughput? = nil, deletionProtection: Bool? = nil,
        indexUpdates: [IndexUpdate]? = nil, stream: StreamSpecification? = nil
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
        let indexUpdates = request.indexUpdates ?? []
        // AttributeDefinitions alone, or an empty GlobalSecondaryIndexUpdates, change nothing; this
        // is checked before the table is looked up (ack-api-quirks DDB-TABLE-015, DDB-TABLE-162).
        if request.billingMode == nil, request.provisionedThroughput == nil, request.deletionProtection == nil,
            indexUpdates.isEmpty, request.stream == nil, request.onDemandThroughput == nil
        {
            throw KVError.validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"
            )
        }
        guard let original = catalog.table(named: request.tableName) else {
            throw KVError.resourceNotFound("Requested resource not found: Table: \(request.tableName) not found")
        }
        try GlobalIndexUpdateRules.check(request, table: original)
        if let stream = request.stream {
            try StreamLifecycle.validate(stream, creating: false, table: original)
        }
        var updated = try Self.applyBillingChanges(request, to: original, now: now())
        var created: IndexDefinition?
        var droppedIndexes: [IndexDefinition] = []
        for update in indexUpdates {
            switch update {
            case .create(let index):
                if original.globalIndexes.contains(where: { $0.status == .creating }) {
                    throw GlobalIndexUpdateRules.oneOnlineIndexChange
                }
                guard original.index(named: index.name) == nil else {
                    throw KVError.validation("Attempting to create an index which already exists")
                }
                guard let definitions = request.attributeDefinitions else {
                    throw KVError.validation(
                        "One or more parameter values were invalid: AttributeDefinitions is not specified for index: \(index.name)")
                }
                try TableRules.checkNoDuplicateDefinitions(definitions)
                let schema = try TableRules.indexKeySchema(index.keySchema, definitions: definitions, multiAttribute: true)
                for attribute in schema.attributes {
                    // Our own text: DynamoDB's answer to a key attribute redefined with another
                    // type is not recorded anywhere we could find.
                    if let existing = original.attributeDefinitions.first(where: { $0.name == attribute.name }),
                        existing.type != attribute.type
                    {
                        throw KVError.validation(
                            "One or more parameter values were invalid: Attribute \(attribute.name) has conflicting types in AttributeDefinitions")
                    }
                }
                if updated.globalIndexes.count >= TableRules.maxGlobalIndexes {
                    // A LimitExceededException here, a ValidationException in CreateTable
                    // (ack-api-quirks DDB-TABLE-169).
                    throw KVError(
                        .limitExceeded,
                        "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of \(TableRules.maxGlobalIndexes)")
                }
                let projection = try TableRules.projection(index)
                let throughput = try TableRules.globalIndexThroughput(index, billingMode: updated.billingMode, creatingTable: false)
                let definition = IndexDefinition(
                    name: index.name, isGlobal: true, keySchema: schema, projection: projection,
                    number: updated.nextIndexNumber, status: .creating, backfilling: true, throughput: throughput)
                updated.nextIndexNumber += 1
                updated.globalIndexes.append(definition)
                try TableRules.checkProjectedAttributeCount(updated.indexes)
                // Only the attributes the new key uses are kept; the rest of the list is ignored.
                for attribute in schema.attributes where !updated.attributeDefinitions.contains(where: { $0.name == attribute.name }) {
                    updated.attributeDefinitions.append(attribute)
                }
                created = definition
            case .delete(let name):
                if original.globalIndexes.contains(where: { $0.status == .creating && $0.name != name }) {
                    throw GlobalIndexUpdateRules.oneOnlineIndexChange
                }
                guard let position = updated.globalIndexes.firstIndex(where: { $0.name == name }) else {
                    throw GlobalIndexUpdateRules.missingIndex(name, table: original, action: "delete")
                }
                droppedIndexes.append(updated.globalIndexes[position])
                updated.globalIndexes.remove(at: position)
                let used = Set(updated.keySchema.attributeNames + updated.indexes.flatMap(\.keySchema.attributeNames))
                updated.attributeDefinitions.removeAll { !used.contains($0.name) }
            case .update(let name, let throughput):
                guard let position = updated.globalIndexes.firstIndex(where: { $0.name == name }) else {
                    throw GlobalIndexUpdateRules.missingIndex(name, table: original, action: "update")
                }
                guard updated.billingMode == .provisioned else {
                    throw KVError.validation(
                        "One or more parameter values were invalid: The only Updates for index: \(name) when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput")
                }
                let current = original.globalIndexes.first { $0.name == name }?.throughput
                if original.billingMode == .provisioned, current == throughput {
                    throw KVError.validation(
                        "The provisioned throughput for the index \(name) will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for index \(name): \(throughput.readCapacityUnits). Requested ReadCapacityUnits: \(throughput.readCapacityUnits). Current WriteCapacityUnits provisioned for index \(name): \(throughput.writeCapacityUnits). Requested WriteCapacityUnits: \(throughput.writeCapacityUnits). Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
                    )
                }
                updated.globalIndexes[position].throughput = throughput
            }
        }
        let catalog = self.catalog
        let proposal = updated
        let dropped = droppedIndexes
        let newIndex = created
        let streamChange = request.stream
        let changedAt = now()
        let final: TableDefinition
        do {
            final = try await storage.write { connection in
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
                try connection.saveTableDefinition(final)
                if let newIndex {
                    try connection.createIndexStorage(newIndex, of: final)
                }
                for index in dropped {
                    try connection.dropIndexStorage(index, of: final)
                }
                catalog.put(final)
                return final
            }
        } catch let error where self.isStorageFailure(error) {
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
                // Every global index needs its own throughput in the same call; nothing is
                // assigned for it (recorded against DynamoDB by ack-api-quirks, DDB-TABLE-152).
                for position in updated.globalIndexes.indices {
                    let name = updated.globalIndexes[position].name
                    let given = (request.indexUpdates ?? []).lazy.compactMap { update -> ProvisionedThroughput? in
                        if case .update(name, let indexThroughput) = update { return indexThroughput }
                        return nil
                    }.first
                    guard let given else {
                        throw .validation("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: \(name)")
                    }
                    updated.globalIndexes[position].throughput = given
                }
            } else if let throughput = request.provisionedThroughput {
                if throughput == table.throughput, (request.indexUpdates ?? []).isEmpty {
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
