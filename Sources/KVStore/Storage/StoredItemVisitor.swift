/// Receives the parts of a stored item in order (see `StoredItems.walk`), so that a caller can
/// turn the stored bytes straight into another format without building `Item` dictionaries.
///
/// A map entry is `name` then its value; an L element or set member is `element` then its value.
/// A value is one `scalar`, or a `begin…`, its entries or elements, and the matching `end…`.
/// Set members are scalars of the set's type. Every name and string is valid UTF-8.
public protocol StoredItemVisitor {
    /// The next attribute of the item, or entry of an M value; `index` counts from 0 within its map.
    mutating func name(_ utf8: UnsafeBufferPointer<UInt8>, index: Int)
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
    /// UTF-8, already validated.
    case string(UnsafeBufferPointer<UInt8>)
    case number(Number)
    case binary(UnsafeBufferPointer<UInt8>)
    case bool(Bool)
    case null
}
