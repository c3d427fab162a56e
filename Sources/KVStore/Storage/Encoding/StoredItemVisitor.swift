/// Receives the parts of a stored item in order (see `StoredItems.walk`), so that a caller can
/// turn the stored bytes straight into another format without building `Item` dictionaries.
///
/// A map entry is `name` then its value; an L element or set member is `element` then its value.
/// A value is one `scalar`, or a `begin…`, its entries or elements, and the matching `end…`.
/// Set members are scalars of the set's type. Every name and string is valid UTF-8.
public protocol StoredItemVisitor {
    /// The next attribute of the item, or entry of an M value; `index` counts from 0 within its map.
    mutating func name(_ text: StoredText, index: Int)
    /// The next element of an L value or member of a set; `index` counts from 0 within its container.
    mutating func element(index: Int)
    mutating func scalar(_ value: StoredScalar)
    /// An SS, NS or BS value of `count` members.
    mutating func beginSet(_ type: ScalarType, count: Int)
    mutating func endSet()
    mutating func beginList(count: Int)
    mutating func endList()
    /// An M value (the item itself is not announced: the walk starts with its first name).
    mutating func beginMap(count: Int)
    mutating func endMap()
}

/// A single stored value, borrowing the stored bytes (valid only during the visitor call).
public enum StoredScalar {
    case string(StoredText)
    case number(Number)
    case binary(UnsafeBufferPointer<UInt8>)
    case bool(Bool)
    case null
}

/// A stored name or string: valid UTF-8, borrowed like `StoredScalar`.
public struct StoredText {
    public let utf8: UnsafeBufferPointer<UInt8>
    /// Every byte is printable ASCII other than `"` and `\` (0x20...0x7E): text that JSON, like
    /// most text formats, copies as is. Found while validating, so a writer need not look again.
    public let isPlain: Bool

    @inlinable
    init(utf8: UnsafeBufferPointer<UInt8>, isPlain: Bool) {
        self.utf8 = utf8
        self.isPlain = isPlain
    }
}
