/// Items in their stored form (the `ItemCodec` bytes), one after another in one buffer.
///
/// What a read hands back when nothing in it needs the items decoded (no filter, projection or
/// table fetch): the server then writes its response straight from these bytes with `walk`,
/// instead of building an `Item` dictionary per item and taking it apart again.
public struct StoredItems: Sendable {
    private var bytes: [UInt8] = []
    /// Where each item ends in `bytes`.
    private var ends: [Int] = []
    /// How many items the page expects (its `Limit`, when it has one), to size the buffer once.
    var expectedCount = 16

    public init() {}

    public var count: Int { ends.count }
    /// The stored size of all the items together.
    public var byteCount: Int { bytes.count }
    public var isEmpty: Bool { ends.isEmpty }

    mutating func append(_ item: UnsafeBufferPointer<UInt8>) {
        if bytes.capacity == 0 {
            // A page is usually many items of about one size: room for `expectedCount` (at
            // least 16) like the first saves the array's doublings, each a copy of everything so
            // far (a Query of 100 items of 200 bytes copied 8 times with no room, 3 times with
            // room for 16), up to the bytes a page may read.
            let expected = min(max(expectedCount, 16), 1 << 16)
            let room = max(item.count, 64)
            bytes.reserveCapacity(max(room * 16, min(room * expected, ReadSource.pageLimit + item.count)))
            ends.reserveCapacity(min(expected, ReadSource.pageLimit / 64))
        }
        bytes.append(contentsOf: item)
        ends.append(bytes.count)
    }

    /// Calls `body` with each item in order. An item is valid only inside `body`.
    public func forEach(_ body: (StoredItem) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { all in
            var start = 0
            for end in ends {
                try body(StoredItem(bytes: UnsafeBufferPointer(rebasing: all[start..<end])))
                start = end
            }
        }
    }

    /// The items as dictionaries.
    ///
    /// - Throws: when stored bytes are not a valid item.
    public func decoded() throws -> [Item] {
        var items: [Item] = []
        items.reserveCapacity(count)
        try forEach { item in items.append(try item.decoded()) }
        return items
    }
}

/// One item of `StoredItems`, borrowed for the duration of `StoredItems.forEach`'s body.
public struct StoredItem {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>

    /// Reports the item's attributes to `visitor`, checking the bytes as decoding would.
    ///
    /// - Throws: when the bytes are not a valid item (the visitor may have seen part of it).
    @inlinable
    public func walk(_ visitor: inout some StoredItemVisitor) throws {
        try ItemCodec.walk(bytes, &visitor)
    }

    public func decoded() throws -> Item {
        try ItemCodec.decode(bytes)
    }
}
