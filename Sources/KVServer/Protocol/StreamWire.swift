import KVStore

/// Stream ARNs, specifications and records on the wire.
enum StreamWire {
    static func arn(table: String, stream: StreamDefinition, region: String) -> String {
        stream.arn(table: table, region: region, account: TableName.accountID)
    }

    /// `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` -> (name, label).
    static func parse(_ arn: String) -> (table: String, label: String)? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "dynamodb" else { return nil }
        let resource = parts[5].split(separator: "/", omittingEmptySubsequences: false)
        guard resource.count == 4, resource[0] == "table", resource[2] == "stream", !resource[1].isEmpty, !resource[3].isEmpty
        else { return nil }
        return (String(resource[1]), String(resource[3]))
    }

    /// Reads `StreamSpecification` (CreateTable, UpdateTable).
    static func specification(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError)
        -> StreamSpecification?
    {
        guard let object = try request.object("StreamSpecification") else { return nil }
        let enabled = try object.bool("StreamEnabled")
        violations.notNull(enabled, at: "streamSpecification.streamEnabled")
        let type = try object.string("StreamViewType")
        violations.oneOf(type, StreamViewType.allCases.map(\.rawValue), at: "streamSpecification.streamViewType")
        return StreamSpecification(enabled: enabled ?? false, viewType: type.flatMap(StreamViewType.init(rawValue:)))
    }

    static func record(_ record: StreamRecord, region: String) -> JSONValue {
        var change: [String: JSONValue] = [
            "ApproximateCreationDateTime": .number(String(Int64(record.createdSeconds.rounded(.down)))),
            "Keys": AttributeValueWire.responseItem(record.keys),
            "SequenceNumber": .string(record.sequenceNumber),
            "SizeBytes": .number(String(record.sizeBytes)),
            "StreamViewType": .string(record.viewType.rawValue),
        ]
        if let image = record.newImage { change["NewImage"] = AttributeValueWire.responseItem(image) }
        if let image = record.oldImage { change["OldImage"] = AttributeValueWire.responseItem(image) }
        var fields: [String: JSONValue] = [
            "eventID": .string(eventID(record.sequenceNumber)),
            "eventName": .string(record.eventName),
            "eventVersion": .string("1.1"),
            "eventSource": .string("aws:dynamodb"),
            "awsRegion": .string(region),
            "dynamodb": .object(change),
        ]
        if record.byService {
            fields["userIdentity"] = .object([
                "Type": .string("Service"), "PrincipalId": .string("dynamodb.amazonaws.com"),
            ])
        }
        return .object(fields)
    }

    /// A stable 32-hex-digit id per record, derived from its sequence number.
    static func eventID(_ sequenceNumber: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var second: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in sequenceNumber.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }
        return hex(hash) + hex(second)
    }
}
