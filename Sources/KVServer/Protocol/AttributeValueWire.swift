public import KVStore

/// DynamoDB JSON (`{"S": "x"}`, `{"N": "1"}`, ...) to and from typed attribute values,
/// with DynamoDB's validation of each value.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
public enum AttributeValueWire {
    /// Lists and maps nest at most 32 levels; the top-level value is level 0.
    static let maxDepth = 32

    public static func decodeItem(_ fields: [String: JSONValue]) throws(KVError) -> Item {
        var item = Item(minimumCapacity: fields.count)
        for (name, value) in fields {
            item[name] = try decode(value, depth: 0)
        }
        return item
    }

    public static func decode(_ json: JSONValue, depth: Int = 0) throws(KVError) -> AttributeValue {
        if depth >= maxDepth {
            throw .validation(
                "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
        }
        guard case .object(let fields) = json else {
            throw WireObject.mismatch(json, expected: "AttributeValue")
        }
        // Unknown members are ignored by DynamoDB's deserializer; nulls count as absent.
        var found: (String, JSONValue)?
        var count = 0
        for (type, value) in fields where isKnownType(type) {
            if case .null = value { continue }
            count += 1
            found = (type, value)
        }
        guard let (type, value) = found else {
            throw .validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes")
        }
        let decoded = try decode(type: type, value, depth: depth)
        if count > 1 {
            throw .validation(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
        }
        return decoded
    }

    /// A switch rather than a `Set<String>`: comparing a short name to ten literals is cheaper
    /// than hashing it, once per attribute value of every request.
    private static func isKnownType(_ type: String) -> Bool {
        switch type {
        case "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M": true
        default: false
        }
    }

    private static func decode(type: String, _ value: JSONValue, depth: Int) throws(KVError) -> AttributeValue {
        switch type {
        case "S":
            return .string(try WireObject.string(value))
        case "N":
            return .number(try Number(parsing: try WireObject.string(value)))
        case "B":
            return .binary(try blob(value))
        case "BOOL":
            guard case .bool(let flag) = value else { throw WireObject.mismatch(value, expected: "Boolean") }
            return .bool(flag)
        case "NULL":
            guard case .bool(let flag) = value else { throw WireObject.mismatch(value, expected: "Boolean") }
            guard flag else {
                throw .validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
            }
            return .null
        case "SS":
            let members = try elements(value).map { element throws(KVError) in try WireObject.string(element) }
            guard !members.isEmpty else {
                throw .validation("One or more parameter values were invalid: An string set  may not be empty")
            }
            if Set(members).count != members.count {
                throw .validation(
                    "One or more parameter values were invalid: Input collection [\(members.joined(separator: ", "))] contains duplicates.")
            }
            return .stringSet(members)
        case "NS":
            let texts = try elements(value).map { element throws(KVError) in try WireObject.string(element) }
            guard !texts.isEmpty else {
                throw .validation("One or more parameter values were invalid: An number set  may not be empty")
            }
            let members = try texts.map { text throws(KVError) in try Number(parsing: text) }
            if Set(members).count != members.count {
                throw .validation("Input collection contains duplicates")
            }
            return .numberSet(members)
        case "BS":
            let encoded = try elements(value)
            guard !encoded.isEmpty else {
                throw .validation("One or more parameter values were invalid: Binary sets should not be empty")
            }
            let members = try encoded.map { element throws(KVError) in try blob(element) }
            if Set(members).count != members.count {
                let shown = encoded.compactMap { element -> String? in
                    if case .string(let text) = element { return text }
                    return nil
                }
                throw .validation(
                    "One or more parameter values were invalid: Input collection [\(shown.joined(separator: ", "))]of type BS contains duplicates."
                )
            }
            return .binarySet(members)
        case "L":
            let members = try elements(value)
            var list: [AttributeValue] = []
            list.reserveCapacity(members.count)
            for member in members {
                list.append(try decode(member, depth: depth + 1))
            }
            return .list(list)
        default:  // "M"
            guard case .object(let fields) = value else {
                if case .array = value { throw .serialization("Start of list found where not expected") }
                throw .serialization("Unexpected field type")
            }
            var map = [String: AttributeValue](minimumCapacity: fields.count)
            for (name, member) in fields {
                map[name] = try decode(member, depth: depth + 1)
            }
            return .map(map)
        }
    }

    private static func elements(_ value: JSONValue) throws(KVError) -> [JSONValue] {
        guard case .array(let elements) = value else {
            if case .object = value { throw .serialization("Start of structure or map found where not expected") }
            throw .serialization("Unexpected field type")
        }
        return elements
    }

    private static func blob(_ value: JSONValue) throws(KVError) -> [UInt8] {
        let text = try WireObject.string(value)
        do {
            return try Base64.decode(text)
        } catch {
            switch error {
            case .length(let length):
                throw .serialization("Base64 encoded length is expected a multiple of 4 bytes but found: \(length)")
            case .character(let character):
                throw .serialization("Invalid Base64 character: '\(character)'")
            }
        }
    }

    public static func encodeItem(_ item: Item) -> JSONValue {
        var fields = [String: JSONValue](minimumCapacity: item.count)
        for (name, value) in item {
            fields[name] = encode(value)
        }
        return .object(fields)
    }

    public static func encode(_ value: AttributeValue) -> JSONValue {
        switch value {
        case .string(let text): return .object(["S": .string(text)])
        case .number(let number): return .object(["N": .string(number.description)])
        case .binary(let bytes): return .object(["B": .string(Base64.encode(bytes))])
        case .bool(let flag): return .object(["BOOL": .bool(flag)])
        case .null: return .object(["NULL": .bool(true)])
        case .stringSet(let members): return .object(["SS": .array(members.map { .string($0) })])
        case .numberSet(let members): return .object(["NS": .array(members.map { .string($0.description) })])
        case .binarySet(let members): return .object(["BS": .array(members.map { .string(Base64.encode($0)) })])
        case .list(let members): return .object(["L": .array(members.map(encode))])
        case .map(let members): return encodeMap(members)
        }
    }

    private static func encodeMap(_ members: [String: AttributeValue]) -> JSONValue {
        .object(["M": encodeItem(members)])
    }
}

extension AttributeValueWire {
    /// An item in DynamoDB JSON for a response, written straight to bytes: the same text as
    /// `encodeItem`, without building a `JSONValue` tree of dictionaries first (items are most
    /// of the bytes a Query or GetItem answers with).
    public static func responseItem(_ item: Item) -> JSONValue {
        var out: [UInt8] = []
        out.reserveCapacity(64 + item.count * 32)
        writeItem(item, into: &out)
        return .raw(out)
    }

    static func writeItem(_ item: Item, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (name, value) in item {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.writeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
            writeValue(value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    static func writeValue(_ value: AttributeValue, into out: inout [UInt8]) {
        func open(_ tag: StaticString) {
            out.append(UInt8(ascii: "{"))
            out.append(UInt8(ascii: "\""))
            tag.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
        }
        func list<Element>(_ elements: [Element], _ write: (Element, inout [UInt8]) -> Void) {
            out.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                write(element, &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        switch value {
        case .string(let text):
            open("S")
            JSONWriter.writeString(text, into: &out)
        case .number(let number):
            open("N")
            JSONWriter.writeString(number.description, into: &out)
        case .binary(let bytes):
            open("B")
            JSONWriter.writeString(Base64.encode(bytes), into: &out)
        case .bool(let flag):
            open("BOOL")
            out.append(contentsOf: flag ? Array("true".utf8) : Array("false".utf8))
        case .null:
            open("NULL")
            out.append(contentsOf: Array("true".utf8))
        case .stringSet(let members):
            open("SS")
            list(members) { member, out in JSONWriter.writeString(member, into: &out) }
        case .numberSet(let members):
            open("NS")
            list(members) { member, out in JSONWriter.writeString(member.description, into: &out) }
        case .binarySet(let members):
            open("BS")
            list(members) { member, out in JSONWriter.writeString(Base64.encode(member), into: &out) }
        case .list(let members):
            open("L")
            list(members) { member, out in writeValue(member, into: &out) }
        case .map(let members):
            open("M")
            writeItem(members, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
