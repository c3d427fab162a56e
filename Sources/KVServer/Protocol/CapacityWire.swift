import KVStore

/// `ReturnConsumedCapacity` and the `ConsumedCapacity` shape.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html
enum CapacityWire {
    enum Mode: String {
        case total = "TOTAL"
        case indexes = "INDEXES"
    }

    static let modeValues = ["INDEXES", "TOTAL", "NONE"]

    /// The requested mode; nil for NONE or absent. The enum itself is checked with the shape.
    static func mode(_ request: WireObject) throws(KVError) -> Mode? {
        try request.string("ReturnConsumedCapacity").flatMap(Mode.init(rawValue:))
    }

    /// `{"TableName", "CapacityUnits"}`, plus with INDEXES the `Table`,
    /// `GlobalSecondaryIndexes` and `LocalSecondaryIndexes` breakdown.
    static func encode(_ capacity: ConsumedCapacity, mode: Mode) -> JSONValue {
        var fields: [String: JSONValue] = [
            "TableName": .string(capacity.tableName),
            "CapacityUnits": number(capacity.total),
        ]
        guard mode == .indexes else { return .object(fields) }
        var table: [String: JSONValue] = ["CapacityUnits": number(capacity.table)]
        switch capacity.kind {
        case .transactionalRead: table["ReadCapacityUnits"] = number(capacity.table)
        case .transactionalWrite: table["WriteCapacityUnits"] = number(capacity.table)
        case .read, .write: break
        }
        fields["Table"] = .object(table)
        if !capacity.globalIndexes.isEmpty {
            fields["GlobalSecondaryIndexes"] = breakdown(capacity.globalIndexes)
        }
        if !capacity.localIndexes.isEmpty {
            fields["LocalSecondaryIndexes"] = breakdown(capacity.localIndexes)
        }
        return .object(fields)
    }

    /// Adds `"ConsumedCapacity": {...}` to an object response when a mode was asked for, and
    /// reports the capacity to `usage` (the metrics) either way.
    static func attach(_ capacity: ConsumedCapacity?, mode: Mode?, usage: RequestUsage?, to response: JSONValue) -> JSONValue {
        if let usage, let capacity { usage.consumed(capacity) }
        guard let capacity, let mode, case .object(var fields) = response else { return response }
        fields["ConsumedCapacity"] = encode(capacity, mode: mode)
        return .object(fields)
    }

    /// Adds `"ConsumedCapacity": [{...}, ...]` (batch and transaction operations).
    static func attach(list: [ConsumedCapacity], mode: Mode?, usage: RequestUsage?, to response: JSONValue) -> JSONValue {
        usage?.consumed(list)
        guard let mode, case .object(var fields) = response else { return response }
        fields["ConsumedCapacity"] = .array(list.map { encode($0, mode: mode) })
        return .object(fields)
    }

    /// Units are multiples of 0.5; DynamoDB writes them as doubles (`1.0`, `0.5`).
    static func number(_ value: Double) -> JSONValue {
        .number(value.isFinite ? String(value) : "0.0")
    }

    private static func breakdown(_ units: [String: Double]) -> JSONValue {
        .object(units.mapValues { .object(["CapacityUnits": number($0)]) })
    }
}

/// A stable fingerprint of a JSON value (object members in sorted order), for
/// `ClientRequestToken` idempotency: FNV-1a over the canonical text, plus its length.
enum RequestFingerprint {
    static func of(_ value: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var length = 0
        func feed(_ bytes: some Sequence<UInt8>) {
            for byte in bytes {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                length &+= 1
            }
        }
        func walk(_ value: JSONValue) {
            switch value {
            case .null: feed("n".utf8)
            case .raw(let bytes): feed(bytes)
            case .bool(let flag): feed((flag ? "t" : "f").utf8)
            case .number(let text): feed("#".utf8); feed(text.utf8); feed(";".utf8)
            case .string(let text): feed(JSONWriter.encode(.string(text)))
            case .array(let elements):
                feed("[".utf8)
                for element in elements { walk(element); feed(",".utf8) }
                feed("]".utf8)
            case .object(let members):
                feed("{".utf8)
                for key in members.keys.sorted() {
                    feed(JSONWriter.encode(.string(key)))
                    feed(":".utf8)
                    if let member = members[key] { walk(member) }
                    feed(",".utf8)
                }
                feed("}".utf8)
            }
        }
        walk(value)
        return String(hash, radix: 16) + "-" + String(length)
    }
}
