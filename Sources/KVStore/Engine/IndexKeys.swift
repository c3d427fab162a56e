/// Where an item sits in one secondary index: the index key bytes plus the table key,
/// so that items sharing an index key (allowed in GSIs) stay distinct rows.
struct IndexRowKey: Sendable, Hashable {
    var hash: Int64
    var partition: [UInt8]
    var sort: [UInt8]
    var tablePartition: [UInt8]
    var tableSort: [UInt8]
}

enum IndexKeys {
    /// The row key of `item` in `index`, or nil when the item is not in the index: it lacks an
    /// index key attribute (sparse index), or one of them is an index key violation (another type,
    /// an empty string or binary, a value over the key size limit). Writes refuse violations
    /// (`validate`); a backfill meets them in items written before the index existed and leaves
    /// those items out, as DynamoDB does.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.ViolationDetection.html
    static func rowKey(of item: Item, in index: IndexDefinition, tableKey: StorageKey) -> IndexRowKey? {
        let schema = index.keySchema
        let partition: [UInt8]
        var sort: [UInt8] = []
        if schema.isMultiAttribute {
            guard let encoded = keyPart(of: item, schema.partitionKeys, limit: KeyValidator.maxPartitionKeyBytes) else { return nil }
            partition = encoded
            let sortKeys = schema.sortKeys
            if !sortKeys.isEmpty {
                guard let encoded = keyPart(of: item, sortKeys, limit: KeyValidator.maxSortKeyBytes) else { return nil }
                sort = encoded
            }
        } else {
            guard let encoded = component(of: item, schema.partitionKey, limit: KeyValidator.maxPartitionKeyBytes) else { return nil }
            partition = encoded
            if let sortKey = schema.sortKey {
                guard let encoded = component(of: item, sortKey, limit: KeyValidator.maxSortKeyBytes) else { return nil }
                sort = encoded
            }
        }
        return IndexRowKey(
            hash: PartitionHash.of(partition), partition: partition, sort: sort,
            tablePartition: tableKey.partition, tableSort: tableKey.sort)
    }

    /// The stored bytes of a key part (the partition or the sort key) of several attributes or
    /// one: `CompositeKeyEncoding` for several, the plain encoding for one. The limit holds for
    /// the sizes of the part's attributes together.
    static func keyPart(of item: Item, _ attributes: [KeyAttribute], limit: Int) -> [UInt8]? {
        if attributes.count == 1, let attribute = attributes.first {
            return component(of: item, attribute, limit: limit)
        }
        var bytes: [UInt8] = []
        var size = 0
        for attribute in attributes {
            guard let encoded = component(of: item, attribute, limit: limit), let value = item[attribute.name] else { return nil }
            size += keySize(value)
            guard size <= limit else { return nil }
            CompositeKeyEncoding.appendComponent(encoded, to: &bytes)
        }
        return bytes
    }

    /// The encoded value of one index key attribute of `item`, nil when it cannot index the item.
    /// Numbers never encode empty, so an empty encoding is an empty string or binary.
    @inline(__always)
    private static func component(of item: Item, _ attribute: KeyAttribute, limit: Int) -> [UInt8]? {
        guard let value = item[attribute.name], value.scalarType == attribute.type,
            let encoded = KeyEncoding.encode(value), !encoded.isEmpty, encoded.count <= limit
        else { return nil }
        return encoded
    }

    /// The size a key value counts against the key limits: the bytes of a string or binary, the
    /// DynamoDB size of a number (at most 21 bytes, far below either limit).
    static func keySize(_ value: AttributeValue) -> Int {
        switch value {
        case .string(let string): string.utf8.count
        case .binary(let bytes): bytes.count
        default: ItemSize.of(value)
        }
    }

    /// DynamoDB refuses a write whose index key attribute has the wrong type, is empty, or is
    /// longer than a key may be: 2048 bytes for a partition key, 1024 for a sort key, as for
    /// table keys. A multi-attribute key part is held to the limit with its attributes' sizes
    /// added up ("Aggregated size of all range keys", DynamoDB says). `byUpdate`: the item is the
    /// result of an UpdateItem (or a transaction's Update), whose empty index key value DynamoDB
    /// reports in other words.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
    static func validate(_ item: Item, for table: TableDefinition, byUpdate: Bool = false) throws(KVError) {
        // Most tables have no index: skip building `table.indexes` for every item written.
        guard !table.globalIndexes.isEmpty || !table.localIndexes.isEmpty else { return }
        for index in table.indexes {
            let schema = index.keySchema
            if schema.isMultiAttribute {
                var partitionSize = 0
                for attribute in schema.partitionKeys {
                    partitionSize += try check(item, attribute, of: index, byUpdate: byUpdate)
                }
                if partitionSize > KeyValidator.maxPartitionKeyBytes { throw KeyValidator.partitionKeyTooLarge }
                var sortSize = 0
                for attribute in schema.sortKeys {
                    sortSize += try check(item, attribute, of: index, byUpdate: byUpdate)
                }
                if sortSize > KeyValidator.maxSortKeyBytes { throw KeyValidator.sortKeyTooLarge }
            } else {
                let partitionSize = try check(item, schema.partitionKey, of: index, byUpdate: byUpdate)
                if partitionSize > KeyValidator.maxPartitionKeyBytes { throw KeyValidator.partitionKeyTooLarge }
                if let sortKey = schema.sortKey {
                    let sortSize = try check(item, sortKey, of: index, byUpdate: byUpdate)
                    if sortSize > KeyValidator.maxSortKeyBytes { throw KeyValidator.sortKeyTooLarge }
                }
            }
        }
    }

    /// An update that empties an index key attribute. Texts as captured from DynamoDB by
    /// nubo-db/dynoxide (no IndexName/IndexKey here).
    static func emptyByUpdate(_ attribute: KeyAttribute) -> KVError {
        .validation(
            "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. The AttributeValue for a key attribute cannot contain an empty \(attribute.type == .string ? "string" : "binary") value."
        )
    }

    static func typeMismatch(_ attribute: KeyAttribute, _ value: AttributeValue, of index: IndexDefinition) -> KVError {
        .validation(
            "One or more parameter values were invalid: Type mismatch for Index Key \(attribute.name) Expected: \(attribute.type.rawValue) Actual: \(value.typeDescriptor) IndexName: \(index.name)"
        )
    }

    /// The first index key attribute of `item` with the wrong type, if any.
    static func firstTypeMismatch(_ item: Item, for table: TableDefinition) -> KVError? {
        guard !table.globalIndexes.isEmpty || !table.localIndexes.isEmpty else { return nil }
        for index in table.indexes {
            for attribute in index.keySchema.attributes {
                if let value = item[attribute.name], value.scalarType != attribute.type {
                    return typeMismatch(attribute, value, of: index)
                }
            }
        }
        return nil
    }

    /// Refuses an index key attribute of the wrong type or an empty one; returns the size it
    /// counts against the key limits (0 when the item lacks it).
    @inline(__always)
    private static func check(_ item: Item, _ attribute: KeyAttribute, of index: IndexDefinition, byUpdate: Bool) throws(KVError) -> Int {
        guard let value = item[attribute.name] else { return 0 }
        guard value.scalarType == attribute.type else {
            throw typeMismatch(attribute, value, of: index)
        }
        let size = keySize(value)
        if size == 0, byUpdate {
            throw emptyByUpdate(attribute)
        }
        if size == 0 {
            throw .validation(
                "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty \(attribute.type == .string ? "string" : "binary") value. IndexName: \(index.name), IndexKey: \(attribute.name)"
            )
        }
        return size
    }
}

extension KeySchema {
    /// Every key attribute, HASH attributes first, in key schema order.
    var attributes: [KeyAttribute] {
        guard isMultiAttribute else { return [partitionKey] + (sortKey.map { [$0] } ?? []) }
        return partitionKeys + sortKeys
    }
}
