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
    /// The row key of `item` in `index`, or nil when the item lacks an index key attribute
    /// (sparse index: such items are simply absent from it).
    static func rowKey(of item: Item, in index: IndexDefinition, tableKey: StorageKey) -> IndexRowKey? {
        guard let partitionValue = item[index.keySchema.partitionKey.name],
            partitionValue.scalarType == index.keySchema.partitionKey.type,
            let partition = KeyEncoding.encode(partitionValue)
        else { return nil }
        var sort: [UInt8] = []
        if let sortKey = index.keySchema.sortKey {
            guard let sortValue = item[sortKey.name], sortValue.scalarType == sortKey.type,
                let encoded = KeyEncoding.encode(sortValue)
            else { return nil }
            sort = encoded
        }
        return IndexRowKey(
            hash: PartitionHash.of(partition), partition: partition, sort: sort,
            tablePartition: tableKey.partition, tableSort: tableKey.sort)
    }

    /// DynamoDB refuses a write whose index key attribute has the wrong type or is empty.
    static func validate(_ item: Item, for table: TableDefinition) throws(KVError) {
        // Most tables have no index: skip building `table.indexes` for every item written.
        guard !table.globalIndexes.isEmpty || !table.localIndexes.isEmpty else { return }
        for index in table.indexes {
            for attribute in index.keySchema.attributes {
                guard let value = item[attribute.name] else { continue }
                guard value.scalarType == attribute.type else {
                    throw .validation(
                        "One or more parameter values were invalid: Type mismatch for Index Key \(attribute.name) Expected: \(attribute.type.rawValue) Actual: \(value.typeDescriptor) IndexName: \(index.name)"
                    )
                }
                if value == .string("") || value == .binary([]) {
                    throw .validation(
                        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty \(value == .string("") ? "string" : "binary") value. IndexName: \(index.name), IndexKey: \(attribute.name)"
                    )
                }
            }
        }
    }
}

extension KeySchema {
    var attributes: [KeyAttribute] {
        [partitionKey] + (sortKey.map { [$0] } ?? [])
    }
}
