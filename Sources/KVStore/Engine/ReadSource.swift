/// The thing a Query or Scan walks: the table itself or one of its indexes, with the
/// rules that differ between them (columns, key attributes, projections, consistency).
struct ReadSource: Sendable {
    let table: TableDefinition
    let index: IndexDefinition?

    static let pageLimit = 1_048_576

    init(table: TableDefinition, options: ReadOptions) throws(KVError) {
        self.table = table
        guard let name = options.indexName else {
            index = nil
            if options.select == .allProjectedAttributes {
                throw .validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
            }
            return
        }
        guard let index = table.index(named: name) else {
            throw .validation("The table does not have the specified index: \(name)")
        }
        if index.isGlobal && options.consistentRead {
            throw .validation("Consistent reads are not supported on global secondary indexes")
        }
        if index.isGlobal && index.status != .active {
            throw .validation("Cannot read from backfilling global secondary index: \(name)")
        }
        if index.isGlobal, index.projection.kind != .all, options.select == .allAttributes {
            throw .validation(
                "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index \(name) because its projection type is not ALL"
            )
        }
        self.index = index
    }

    var keySchema: KeySchema { index?.keySchema ?? table.keySchema }

    /// Attribute names of a LastEvaluatedKey / ExclusiveStartKey: the source's keys plus the table's.
    var startKeyAttributes: [KeyAttribute] {
        var attributes = keySchema.attributes
        for attribute in table.keySchema.attributes where !attributes.contains(attribute) {
            attributes.append(attribute)
        }
        return attributes
    }

    /// A local index whose projection lacks what the request wants reads the item from the table.
    func needsTableFetch(_ options: ReadOptions) -> Bool {
        guard let index, !index.isGlobal, index.projection.kind != .all else { return false }
        if options.select == .allAttributes { return true }
        if options.select == nil && options.projectedAttributes == nil { return false }
        guard let wanted = options.projectedAttributes else { return false }
        let kept = Set(index.keySchema.attributeNames + table.keySchema.attributeNames + index.projection.nonKeyAttributes)
        return !wanted.isSubset(of: kept)
    }

    /// The `startKeyAttributes` of `item` (once per page, so without building that list).
    func lastEvaluatedKey(of item: Item) -> Item {
        if keySchema.isMultiAttribute {
            var key = Item(minimumCapacity: 10)
            for attribute in keySchema.attributes + table.keySchema.attributes where key[attribute.name] == nil {
                key[attribute.name] = item[attribute.name]
            }
            return key
        }
        var key = Item(minimumCapacity: 4)
        for attribute in [keySchema.partitionKey, keySchema.sortKey, table.keySchema.partitionKey, table.keySchema.sortKey] {
            if let name = attribute?.name, key[name] == nil { key[name] = item[name] }
        }
        return key
    }

    /// The position in the source's key order of an ExclusiveStartKey (where a range read resumes).
    ///
    /// DynamoDB's texts differ by what is wrong (as captured by nubo-db/dynoxide
    /// src/actions/helpers.rs): a key with the wrong number of attributes is just "invalid" for a
    /// Query or an index Scan; a missing or mistyped table key attribute does "not match the schema".
    func startPosition(_ key: Item, isQuery: Bool) throws(KVError) -> RangePosition {
        let invalid = KVError.validation("The provided starting key is invalid")
        let mismatch = KVError.validation("The provided starting key is invalid: The provided key element does not match the schema")
        guard key.count == startKeyAttributes.count else { throw isQuery || index != nil ? invalid : mismatch }
        func encoded(_ attribute: KeyAttribute, indexKey: Bool) throws(KVError) -> [UInt8] {
            guard let value = key[attribute.name] else { throw indexKey ? invalid : mismatch }
            guard value.scalarType == attribute.type, let bytes = KeyEncoding.encode(value) else {
                throw indexKey ? KVError.validation("The provided key element does not match the schema") : mismatch
            }
            return bytes
        }
        let indexKey = index != nil
        let partition: [UInt8]
        let sort: [UInt8]
        if keySchema.isMultiAttribute {
            // A key part of several attributes is stored as `CompositeKeyEncoding`.
            func part(_ attributes: [KeyAttribute]) throws(KVError) -> [UInt8] {
                if attributes.count == 1, let only = attributes.first { return try encoded(only, indexKey: true) }
                var bytes: [UInt8] = []
                for attribute in attributes {
                    CompositeKeyEncoding.appendComponent(try encoded(attribute, indexKey: true), to: &bytes)
                }
                return bytes
            }
            partition = try part(keySchema.partitionKeys)
            sort = try part(keySchema.sortKeys)
        } else {
            partition = try encoded(keySchema.partitionKey, indexKey: indexKey)
            sort = try keySchema.sortKey.map { attribute throws(KVError) in try encoded(attribute, indexKey: indexKey) } ?? []
        }
        var position = RangePosition(hash: PartitionHash.of(partition), partition: partition, sort: sort)
        if index != nil {
            position.tablePartition = try encoded(table.keySchema.partitionKey, indexKey: false)
            position.tableSort = try table.keySchema.sortKey.map { attribute throws(KVError) in try encoded(attribute, indexKey: false) } ?? []
        }
        return position
    }
}

extension KVEngine {
    /// The key schema a Query on this table or index must address, for parsing its key condition.
    public func keySchema(tableName: String, indexName: String?) throws(KVError) -> KeySchema {
        let table = try existingTable(tableName)
        guard let indexName else { return table.keySchema }
        guard let index = table.index(named: indexName) else {
            throw .validation("The table does not have the specified index: \(indexName)")
        }
        return index.keySchema
    }
}
