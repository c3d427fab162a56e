/// DynamoDB's 400 KB item limit and the two texts it is refused with: a whole item sent by
/// PutItem, BatchWriteItem or a transaction's Put, and the item an update would leave.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items
public enum ItemSizeLimit {
    /// A whole item sent by the client (PutItem, a batch's PutRequest, a transaction's Put).
    public static let sentItemTooLarge = KVError.validation("Item size has exceeded the maximum allowed size")
    /// The item an UpdateItem (or a transaction's Update) would leave.
    public static let updatedItemTooLarge = KVError.validation("Item size to update has exceeded the maximum allowed size")

    /// Checks an item sent whole by the client; returns its size.
    @inline(__always)
    public static func checkSent(_ item: Item) throws(KVError) -> Int {
        let size = ItemSize.of(item)
        if size > ItemSize.maximum { throw sentItemTooLarge }
        return size
    }

    /// Checks the size of the item an update leaves.
    @inline(__always)
    static func checkUpdated(size: Int) throws(KVError) {
        if size > ItemSize.maximum { throw updatedItemTooLarge }
    }
}

extension KVEngine {
    /// `ItemSize.maximum`, under the name table import uses.
    static var maxItemSize: Int { ItemSize.maximum }
}
