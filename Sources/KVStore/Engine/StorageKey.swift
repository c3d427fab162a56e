/// An item's primary key in storage form: the partition hash and the encoded key bytes.
/// Public for storage backends in other modules (`Storage/External/`) and the engine
/// micro-benchmarks (`Benchmarks/Micro`).
public struct StorageKey: Sendable, Hashable {
    /// `PartitionHash.of(partition)`.
    public var hash: Int64
    /// `KeyEncoding` bytes of the partition key.
    public var partition: [UInt8]
    /// `KeyEncoding` bytes of the sort key; empty when the table has no sort key.
    public var sort: [UInt8]

    public init(hash: Int64, partition: [UInt8], sort: [UInt8]) {
        self.hash = hash
        self.partition = partition
        self.sort = sort
    }
}

/// Checks key attributes against a table's key schema, with DynamoDB's messages.
/// Public only for the engine micro-benchmarks (`Benchmarks/Micro`).
public enum KeyValidator {
    static let maxPartitionKeyBytes = 2048
    static let maxSortKeyBytes = 1024

    /// The key of a full item, as PutItem sees it.
    static func keyOfItem(_ item: Item, schema: KeySchema) throws(KVError) -> StorageKey {
        let partition = try itemKeyPart(item, schema.partitionKey)
        var sort: [UInt8] = []
        if let sortKey = schema.sortKey {
            sort = try itemKeyPart(item, sortKey)
        }
        return try sized(partition: partition, sort: sort)
    }

    /// The key named by a `Key` parameter (GetItem, DeleteItem, UpdateItem): exactly the key attributes.
    public static func key(_ key: Item, schema: KeySchema) throws(KVError) -> StorageKey {
        let expected = schema.sortKey == nil ? 1 : 2
        guard key.count == expected else { throw mismatch }
        let partition = try keyParameterPart(key, schema.partitionKey)
        var sort: [UInt8] = []
        if let sortKey = schema.sortKey {
            sort = try keyParameterPart(key, sortKey)
        }
        return try sized(partition: partition, sort: sort)
    }

    /// The key of a BatchWriteItem PutRequest item. DynamoDB checks it like a `Key` parameter (a
    /// missing or mistyped key attribute is "The provided key element does not match the schema"),
    /// so this is `key(keyAttributes(of: item, schema:), schema:)` without copying the key
    /// attributes into a new dictionary first: presence of every key attribute, then each part.
    static func keyOfBatchPut(_ item: Item, schema: KeySchema) throws(KVError) -> StorageKey {
        guard let partitionValue = item[schema.partitionKey.name] else { throw mismatch }
        var sortPart: (value: AttributeValue, attribute: KeyAttribute)?
        if let sortKey = schema.sortKey {
            guard let sortValue = item[sortKey.name] else { throw mismatch }
            sortPart = (sortValue, sortKey)
        }
        let partition = try keyParameterPart(partitionValue, schema.partitionKey)
        var sort: [UInt8] = []
        if let sortPart {
            sort = try keyParameterPart(sortPart.value, sortPart.attribute)
        }
        return try sized(partition: partition, sort: sort)
    }

    /// The key attributes of an item, for `ReturnValues` and `LastEvaluatedKey`.
    static func keyAttributes(of item: Item, schema: KeySchema) -> Item {
        var key: Item = [:]
        key[schema.partitionKey.name] = item[schema.partitionKey.name]
        if let sortKey = schema.sortKey { key[sortKey.name] = item[sortKey.name] }
        return key
    }

    /// A table or index partition key attribute over 2048 bytes (DynamoDB's text, without the space).
    static var partitionKeyTooLarge: KVError {
        .validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
    }

    /// A table or index sort key attribute over 1024 bytes.
    static var sortKeyTooLarge: KVError {
        .validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
    }

    static var mismatch: KVError { .validation("The provided key element does not match the schema") }

    private static func itemKeyPart(_ item: Item, _ attribute: KeyAttribute) throws(KVError) -> [UInt8] {
        guard let value = item[attribute.name] else {
            throw .validation("One or more parameter values were invalid: Missing the key \(attribute.name) in the item")
        }
        guard value.scalarType == attribute.type else {
            throw .validation(
                "One or more parameter values were invalid: Type mismatch for key \(attribute.name) expected: "
                    + "\(attribute.type.rawValue) actual: \(value.typeDescriptor)")
        }
        return try encode(value, attribute)
    }

    private static func keyParameterPart(_ key: Item, _ attribute: KeyAttribute) throws(KVError) -> [UInt8] {
        guard let value = key[attribute.name] else { throw mismatch }
        return try keyParameterPart(value, attribute)
    }

    private static func keyParameterPart(_ value: AttributeValue, _ attribute: KeyAttribute) throws(KVError) -> [UInt8] {
        guard value.scalarType == attribute.type else { throw mismatch }
        return try encode(value, attribute)
    }

    private static func encode(_ value: AttributeValue, _ attribute: KeyAttribute) throws(KVError) -> [UInt8] {
        switch value {
        case .string(let s) where s.isEmpty:
            throw .validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: \(attribute.name)"
            )
        case .binary(let b) where b.isEmpty:
            throw .validation(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: \(attribute.name)"
            )
        default:
            guard let bytes = KeyEncoding.encode(value) else { throw mismatch }
            return bytes
        }
    }

    private static func sized(partition: [UInt8], sort: [UInt8]) throws(KVError) -> StorageKey {
        // Numbers are bounded by their 38 digits; strings and binaries count their bytes.
        if partition.count > maxPartitionKeyBytes { throw partitionKeyTooLarge }
        if sort.count > maxSortKeyBytes { throw sortKeyTooLarge }
        return StorageKey(hash: PartitionHash.of(partition), partition: partition, sort: sort)
    }
}

extension AttributeValue {
    /// The key type of a scalar value, nil for every other type.
    var scalarType: ScalarType? {
        switch self {
        case .string: .string
        case .number: .number
        case .binary: .binary
        default: nil
        }
    }
}
