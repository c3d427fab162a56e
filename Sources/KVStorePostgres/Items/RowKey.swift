/// Where one item lives: its table's storage id and its key in the engine's byte form.
///
/// `hash` is KVStore's `PartitionHash` of `pk`, and `pk`/`sk` its `KeyEncoding` (or
/// `CompositeKeyEncoding`) bytes, all computed by the engine: the adapter stores and orders
/// them, it never interprets them.
public struct RowKey: Sendable, Hashable {
    public var storageID: Int64
    public var hash: Int64
    public var pk: [UInt8]
    public var sk: [UInt8]

    public init(storageID: Int64, hash: Int64, pk: [UInt8], sk: [UInt8] = []) {
        self.storageID = storageID
        self.hash = hash
        self.pk = pk
        self.sk = sk
    }
}

/// One stored item: its `ItemCodec` bytes and its DynamoDB size.
public struct ItemRow: Sendable, Equatable {
    public var item: [UInt8]
    public var size: Int32

    public init(item: [UInt8], size: Int32) {
        self.item = item
        self.size = size
    }
}

/// What a write does to the item it read.
public enum ItemWrite: Sendable, Equatable {
    /// Leave it as it is (a condition failed, or nothing to change).
    case keep
    case put(ItemRow)
    case delete
}
