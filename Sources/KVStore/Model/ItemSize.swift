/// DynamoDB's item size: what counts toward the 400 KB (409,600 bytes) limit and
/// toward capacity units.
///
/// Rules (developer guide, "DynamoDB item sizes and formats"; the same as dynalite):
/// - an attribute is its name's UTF-8 bytes plus its value;
/// - String: UTF-8 bytes; Binary: raw bytes; Number: `Number.sizeInBytes`;
/// - Null and Boolean: 1 byte;
/// - sets: the sum of their elements' sizes;
/// - List and Map: 3 bytes, plus 1 byte per element, plus the elements
///   (for a Map each element is an attribute, so its name counts too).
public enum ItemSize {
    /// The size of a whole item: every attribute's name plus its value.
    public static func of(_ item: Item) -> Int {
        var total = 0
        for (name, value) in item {
            total += name.utf8.count + of(value)
        }
        return total
    }

    /// The size of one value, without the name of the attribute holding it.
    public static func of(_ value: AttributeValue) -> Int {
        switch value {
        case .string(let string):
            return string.utf8.count
        case .number(let number):
            return number.sizeInBytes
        case .binary(let bytes):
            return bytes.count
        case .bool, .null:
            return 1
        case .stringSet(let strings):
            var total = 0
            for string in strings { total += string.utf8.count }
            return total
        case .numberSet(let numbers):
            var total = 0
            for number in numbers { total += number.sizeInBytes }
            return total
        case .binarySet(let values):
            var total = 0
            for bytes in values { total += bytes.count }
            return total
        case .list(let elements):
            var total = containerOverhead
            for element in elements { total += elementOverhead + of(element) }
            return total
        case .map(let entries):
            var total = containerOverhead
            for (name, element) in entries { total += elementOverhead + name.utf8.count + of(element) }
            return total
        }
    }

    /// Bytes a List or Map costs whatever its contents.
    public static let containerOverhead = 3
    /// Bytes each element of a List or Map costs on top of its own size.
    public static let elementOverhead = 1
    /// The largest item DynamoDB accepts, in bytes.
    public static let maximum = 409_600
}
