import Logging
/// What a restore may change about the source table (RestoreTableFromBackup's and
/// RestoreTableToPointInTime's `...Override` parameters). SSESpecificationOverride is accepted
/// by the protocol layer and has nothing to change here: we encrypt nothing.
public struct RestoreOverrides: Sendable {
    public var billingMode: BillingMode?
    public var provisionedThroughput: ProvisionedThroughput?
    /// An empty list restores no global index.
    public var globalSecondaryIndexes: [IndexRequest]?
    public var localSecondaryIndexes: [IndexRequest]?

    public init(
        billingMode: BillingMode? = nil, provisionedThroughput: ProvisionedThroughput? = nil,
        globalSecondaryIndexes: [IndexRequest]? = nil, localSecondaryIndexes: [IndexRequest]? = nil
    ) {
        self.billingMode = billingMode
        self.provisionedThroughput = provisionedThroughput
        self.globalSecondaryIndexes = globalSecondaryIndexes
        self.localSecondaryIndexes = localSecondaryIndexes
    }
}

/// Creating a new table from a snapshot: both restores end here.
///
/// As DynamoDB restores a table: keys, attribute definitions, secondary indexes, billing mode
/// and throughput come from the source (or the overrides); tags, stream and TTL settings, and
/// point-in-time recovery are not restored ("You must manually set up the following on the
/// restored table: ... Tags, Stream settings, Time to Live (TTL) settings",
/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableFromBackup.html).
/// The table is CREATING (RestoreInProgress) while its items are written in the background, a
/// batch per transaction through the normal write path, so its indexes are rebuilt as items arrive.
extension KVEngine {
    static let restoreBatchSize = 200

    /// Creates the table a restore fills: CREATING, with `summary` in progress.
    func createRestoredTable(
        named target: String, from source: TableDefinition, overrides: RestoreOverrides, summary: RestoreSummary
    ) async throws -> TableDescription {
        let request = Self.restoreRequest(target: target, source: source, overrides: overrides)
        do {
            return try await createTable(request, restoring: summary)
        } catch let error as KVError where error.code == .resourceInUse {
            throw KVError(.tableAlreadyExists, "Table already exists: \(target)")
        }
    }

    /// Creates the table RestoreTableFromBackup fills from `record` (TableAlreadyExistsException
    /// when the name is taken), its RestoreSummary naming the backup.
    func createTableFromBackup(
        _ record: BackupRecord, named target: String, overrides: RestoreOverrides
    ) async throws -> TableDescription {
        if catalog.table(named: target) != nil {
            throw KVError(.tableAlreadyExists, "Table already exists: \(target)")
        }
        let summary = RestoreSummary(
            sourceBackupID: record.id, sourceTableName: record.table.name, restoreDate: now(), inProgress: true)
        return try await createRestoredTable(named: target, from: record.table, overrides: overrides, summary: summary)
    }

    /// Writes the items of a snapshot file into a table being restored and makes it ACTIVE; a
    /// restore that fails drops the table (a background job: errors are logged).
    func loadRestoredTable(_ definition: TableDefinition, from itemsPath: String) async {
        do {
            try await writeSnapshotItems(from: itemsPath, into: definition)
            try await finishLoading(definition)
        } catch {
            await abandonLoading(definition)
        }
    }

    /// The snapshot's items into `definition`'s table, `restoreBatchSize` per write transaction.
    func writeSnapshotItems(from itemsPath: String, into definition: TableDefinition) async throws {
        let reader = try SnapshotFile.Reader(path: itemsPath)
        var batch: [(encoded: [UInt8], size: Int)] = []
        while true {
            let record = try reader.next()
            if let record { batch.append(record) }
            if batch.count >= Self.restoreBatchSize || (record == nil && !batch.isEmpty) {
                let items = batch
                batch = []
                try await writeRestoredItems(items, into: definition)
            }
            if record == nil { break }
        }
    }

    /// One batch of a snapshot's items into the table being restored, in one write transaction.
    func writeRestoredItems(_ items: [(encoded: [UInt8], size: Int)], into definition: TableDefinition) async throws {
        try await storage.write { connection in
            let store = try self.itemStore(definition, connection)
            for (encoded, size) in items {
                let item = try ItemCodec.decode(encoded)
                let key = try KeyValidator.keyOfItem(item, schema: store.table.keySchema)
                try store.write(key, old: nil, new: item, newSize: size, encodedNew: encoded)
            }
        }
    }

    /// A restored or imported table has all its items: ACTIVE from now on.
    func finishLoading(_ definition: TableDefinition) async throws {
        try await storage.write { connection in
            var current = try self.catalog.current(definition)
            current.restoreSummary?.inProgress = false
            current.importInProgress = nil
            try connection.saveTableDefinition(current)
            self.catalog.put(current)
        }
    }

    /// Drops a table whose restore failed (or was interrupted by a stop).
    func abandonLoading(_ definition: TableDefinition) async {
        logger.error("kv.restore.failed", metadata: ["kv.table": "\(definition.name)"])
        _ = try? await deleteTable(definition.name, whileLoading: true)
    }

    /// The CreateTable request that makes the restored table.
    static func restoreRequest(target: String, source: TableDefinition, overrides: RestoreOverrides) -> CreateTableRequest {
        let billing = overrides.billingMode ?? source.billingMode
        var throughput: ProvisionedThroughput?
        if billing == .provisioned {
            throughput = overrides.provisionedThroughput ?? (source.billingMode == .provisioned ? source.throughput : nil)
        }
        func indexRequest(_ index: IndexDefinition) -> IndexRequest {
            var indexThroughput: ProvisionedThroughput?
            if index.isGlobal && billing == .provisioned {
                indexThroughput = source.billingMode == .provisioned ? index.throughput : throughput
            }
            return IndexRequest(
                name: index.name, keySchema: keySchemaElements(index.keySchema), projectionKind: index.projection.kind,
                nonKeyAttributes: index.projection.kind == .include ? index.projection.nonKeyAttributes : nil,
                provisionedThroughput: indexThroughput)
        }
        let global = overrides.globalSecondaryIndexes ?? source.globalIndexes.filter { $0.status != .deleting }.map(indexRequest)
        let local = overrides.localSecondaryIndexes ?? source.localIndexes.map(indexRequest)
        // Only the attributes some key still uses: an index left out takes its definitions along.
        var used = Set(source.keySchema.attributeNames)
        for index in global + local {
            for element in index.keySchema { used.insert(element.attributeName) }
        }
        return CreateTableRequest(
            tableName: target,
            attributeDefinitions: source.attributeDefinitions.filter { used.contains($0.name) },
            keySchema: keySchemaElements(source.keySchema), billingMode: billing, provisionedThroughput: throughput,
            deletionProtection: false,
            globalSecondaryIndexes: global.isEmpty ? nil : global,
            localSecondaryIndexes: local.isEmpty ? nil : local)
    }

    static func keySchemaElements(_ schema: KeySchema) -> [KeySchemaElement] {
        var elements = [KeySchemaElement(attributeName: schema.partitionKey.name, keyType: .hash)]
        if let sortKey = schema.sortKey {
            elements.append(KeySchemaElement(attributeName: sortKey.name, keyType: .range))
        }
        return elements
    }
}
