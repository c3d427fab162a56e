public import KVStore

/// A JSON object of a request, read field by field with the wire's type rules.
///
/// A field of the wrong JSON type is a SerializationException with the texts DynamoDB's
/// deserializer uses ("NUMBER_VALUE cannot be converted to String"); a JSON null
/// counts as absent, as it does for DynamoDB.
public struct WireObject: Sendable {
    public let fields: [String: JSONValue]

    public init(_ json: JSONValue) throws(KVError) {
        guard case .object(let fields) = json else {
            throw Self.mismatch(json, expected: "Structure")
        }
        self.fields = fields
    }

    public init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    public subscript(_ name: String) -> JSONValue? {
        // One lookup: hashing the name twice showed in batch profiles.
        guard let value = Self.field(name, in: fields) else { return nil }
        if case .null = value { return nil }
        return value
    }

    /// `fields[name]`, without hashing `name` when the object is small. A handler asks for each
    /// member it knows, present or not (18 lookups per GetItem, whose body has two members):
    /// under callgrind a hashed lookup was about 550 instructions, comparing with each of two
    /// members about 350. The comparison is the dictionary's own (`==`, canonical equivalence),
    /// and keys are unique under it, so the answer is the same.
    @inline(__always)
    static func field(_ name: String, in fields: [String: JSONValue]) -> JSONValue? {
        guard fields.count <= smallObjectLimit else { return fields[name] }
        for (key, value) in fields where key == name {
            return value
        }
        return nil
    }

    /// Objects up to this many members are searched member by member (see `field(_:in:)`):
    /// with four, hashing costs about the same.
    static let smallObjectLimit = 3

    public func string(_ name: String) throws(KVError) -> String? {
        guard let value = self[name] else { return nil }
        return try Self.string(value)
    }

    public func bool(_ name: String) throws(KVError) -> Bool? {
        guard let value = self[name] else { return nil }
        guard case .bool(let flag) = value else { throw Self.mismatch(value, expected: "Boolean") }
        return flag
    }

    /// An `Integer` member of the API model (`Limit`, `Segment`, `TotalSegments`...): a JSON
    /// integer token within Java's 32-bit range. See `IntegerMember` for what is rejected.
    public func integer(_ name: String) throws(KVError) -> Int64? {
        guard let value = self[name] else { return nil }
        return try IntegerMember.integer.read(value)
    }

    /// A `Long` member of the API model (`ReadCapacityUnits`, `WriteCapacityUnits`...): a JSON
    /// integer token within Java's 64-bit range.
    public func long(_ name: String) throws(KVError) -> Int64? {
        guard let value = self[name] else { return nil }
        return try IntegerMember.long.read(value)
    }

    public func object(_ name: String) throws(KVError) -> WireObject? {
        guard let value = self[name] else { return nil }
        return try WireObject(value)
    }

    public func array(_ name: String) throws(KVError) -> [JSONValue]? {
        guard let value = self[name] else { return nil }
        guard case .array(let elements) = value else {
            if case .object = value { throw .serialization("Start of structure or map found where not expected") }
            throw .serialization("Unexpected field type")
        }
        return elements
    }

    /// A JSON object used as a map (Item, Key, ExpressionAttributeNames...).
    public func map(_ name: String) throws(KVError) -> [String: JSONValue]? {
        guard let value = self[name] else { return nil }
        guard case .object(let fields) = value else {
            if case .array = value { throw .serialization("Start of list found where not expected") }
            throw .serialization("Unexpected field type")
        }
        return fields
    }

    public static func string(_ value: JSONValue) throws(KVError) -> String {
        guard case .string(let text) = value else { throw mismatch(value, expected: "String") }
        return text
    }

    static func mismatch(_ value: JSONValue, expected: String) -> KVError {
        switch value {
        case .bool(true): return .serialization("TRUE_VALUE cannot be converted to \(expected)")
        case .bool(false): return .serialization("FALSE_VALUE cannot be converted to \(expected)")
        case .number(let text):
            let isDecimal = text.contains(".") || text.contains("e") || text.contains("E")
            return .serialization("\(isDecimal ? "DECIMAL_VALUE" : "NUMBER_VALUE") cannot be converted to \(expected)")
        case .string: return .serialization("STRING_VALUE cannot be converted to \(expected)")
        case .array:
            let javaClass = expected == "Structure" ? "java.lang.Object" : "java.lang.\(expected)"
            return .serialization("Unrecognized collection type class \(javaClass)")
        case .object: return .serialization("Start of structure or map found where not expected")
        case .null, .raw: return .serialization("Unexpected field type")
        }
    }
}
