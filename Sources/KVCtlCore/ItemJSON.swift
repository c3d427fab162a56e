import KVServer
import KVStore

/// Converts between plain JSON items (what people type) and DynamoDB JSON (the wire format).
///
/// Plain JSON maps naturally: strings to S, numbers to N (the number text is kept exactly),
/// booleans to BOOL, null to NULL, arrays to L, objects to M. The types JSON lacks are
/// written as one-member objects with a `$` tag:
///
///     {"$ss": ["a", "b"]}   string set        {"$b": "AAEC"}         binary (base64)
///     {"$ns": [1, 2.5]}     number set        {"$bs": ["AAEC"]}      binary set
///
/// A map whose only key is one of these tags cannot be written in plain JSON; use `--raw`.
enum ItemJSON {
    static let setTags: Set<String> = ["$ss", "$ns", "$bs", "$b"]

    /// A plain JSON object to a DynamoDB item.
    static func item(fromPlain json: JSONValue, what: String = "item") throws -> Item {
        guard case .object(let members) = json else {
            throw CLIError.usage("\(what) must be a JSON object")
        }
        var item = Item(minimumCapacity: members.count)
        for (name, value) in members {
            item[name] = try attribute(fromPlain: value, path: name)
        }
        return item
    }

    static func attribute(fromPlain json: JSONValue, path: String) throws -> AttributeValue {
        switch json {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .string(let text): return .string(text)
        case .number(let text): return .number(try number(text, path: path))
        case .array(let elements):
            return .list(
                try elements.enumerated().map { index, element in
                    try attribute(fromPlain: element, path: "\(path)[\(index)]")
                })
        case .object(let members):
            if members.count == 1, let (tag, value) = members.first, setTags.contains(tag) {
                return try tagged(tag, value, path: path)
            }
            var map = [String: AttributeValue](minimumCapacity: members.count)
            for (name, member) in members {
                map[name] = try attribute(fromPlain: member, path: "\(path).\(name)")
            }
            return .map(map)
        case .raw(let bytes):
            // Pre-encoded JSON only exists on the server's side; parse it like any other input.
            return try attribute(fromPlain: try JSONParser.parse(bytes), path: path)
        }
    }

    private static func tagged(_ tag: String, _ value: JSONValue, path: String) throws -> AttributeValue {
        if tag == "$b" {
            guard case .string(let text) = value else { throw CLIError.usage("\(path): $b takes a base64 string") }
            return .binary(try binary(text, path: path))
        }
        guard case .array(let elements) = value, !elements.isEmpty else {
            throw CLIError.usage("\(path): \(tag) takes a non-empty array")
        }
        switch tag {
        case "$ss":
            return .stringSet(
                try elements.map { element in
                    guard case .string(let text) = element else {
                        throw CLIError.usage("\(path): $ss members must be strings")
                    }
                    return text
                })
        case "$ns":
            return .numberSet(
                try elements.map { element in
                    switch element {
                    case .number(let text), .string(let text): return try number(text, path: path)
                    default: throw CLIError.usage("\(path): $ns members must be numbers")
                    }
                })
        default:
            return .binarySet(
                try elements.map { element in
                    guard case .string(let text) = element else {
                        throw CLIError.usage("\(path): $bs members must be base64 strings")
                    }
                    return try binary(text, path: path)
                })
        }
    }

    private static func number(_ text: String, path: String) throws -> Number {
        do {
            return try Number(parsing: text)
        } catch {
            throw CLIError.usage("\(path): \(text) is not a DynamoDB number: \(error.message)")
        }
    }

    private static func binary(_ text: String, path: String) throws -> [UInt8] {
        do {
            return try Base64.decode(text)
        } catch {
            throw CLIError.usage("\(path): not valid base64")
        }
    }

    /// A DynamoDB item to plain JSON.
    static func plain(_ item: Item) -> JSONValue {
        var members = [String: JSONValue](minimumCapacity: item.count)
        for (name, value) in item { members[name] = plain(value) }
        return .object(members)
    }

    static func plain(_ value: AttributeValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .number(let number): return .number(number.description)
        case .binary(let bytes): return .object(["$b": .string(Base64.encode(bytes))])
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .stringSet(let members): return .object(["$ss": .array(members.map { .string($0) })])
        case .numberSet(let members): return .object(["$ns": .array(members.map { .number($0.description) })])
        case .binarySet(let members): return .object(["$bs": .array(members.map { .string(Base64.encode($0)) })])
        case .list(let members): return .array(members.map { plain($0) })
        case .map(let members): return plain(members)
        }
    }

    /// DynamoDB JSON (`{"pk": {"S": "a"}}`) to an item, with DynamoDB's validation.
    static func item(fromWire json: JSONValue, what: String = "item") throws -> Item {
        guard case .object(let members) = json else {
            throw CLIError.usage("\(what) must be a JSON object of DynamoDB attribute values")
        }
        do {
            return try AttributeValueWire.decodeItem(members)
        } catch {
            throw CLIError.usage("\(what): \(error.message)")
        }
    }

    static func wire(_ item: Item) -> JSONValue { AttributeValueWire.encodeItem(item) }

    static func wire(_ value: AttributeValue) -> JSONValue { AttributeValueWire.encode(value) }
}

/// How items are read from arguments and printed: plain JSON, or DynamoDB JSON with `--raw`.
struct ItemCodecChoice: Sendable {
    var raw: Bool

    func item(from json: JSONValue, what: String) throws -> Item {
        raw ? try ItemJSON.item(fromWire: json, what: what) : try ItemJSON.item(fromPlain: json, what: what)
    }

    /// Expression attribute values (`{":p": ...}`) in the chosen format.
    func values(from json: JSONValue) throws -> JSONValue {
        ItemJSON.wire(try item(from: json, what: "--values"))
    }

    /// An item from the wire (DynamoDB JSON) as it should be printed.
    func present(_ wireItem: JSONValue) throws -> JSONValue {
        if raw { return wireItem }
        return ItemJSON.plain(try ItemJSON.item(fromWire: wireItem, what: "response item"))
    }
}
