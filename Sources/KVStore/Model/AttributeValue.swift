/// One DynamoDB attribute value: the ten types of the data model.
///
/// Sets keep the order the client sent (DynamoDB does not promise one); equality of
/// sets for conditions is by membership and is decided by the expression evaluator,
/// not by `==` here.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
///
/// Not `indirect`: lists and maps already keep their elements in heap storage, and boxing
/// every value cost an allocation per attribute (Scripts/bench/micro.sh: ItemCodec decode of
/// a 250-byte item went from 16 to 4 mallocs and 1.7 to 0.95 µs without it).
public enum AttributeValue: Sendable, Hashable {
    case string(String)
    case number(Number)
    case binary([UInt8])
    case bool(Bool)
    case null
    case stringSet([String])
    case numberSet([Number])
    case binarySet([[UInt8]])
    case list([AttributeValue])
    case map([String: AttributeValue])

    /// The wire descriptor of the type ("S", "N", "SS", ...).
    public var typeDescriptor: String {
        switch self {
        case .string: "S"
        case .number: "N"
        case .binary: "B"
        case .bool: "BOOL"
        case .null: "NULL"
        case .stringSet: "SS"
        case .numberSet: "NS"
        case .binarySet: "BS"
        case .list: "L"
        case .map: "M"
        }
    }
}

/// An item: attribute name to value.
public typealias Item = [String: AttributeValue]
