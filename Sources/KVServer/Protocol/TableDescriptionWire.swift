import KVStore

/// TableDescription as the wire shows it.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
enum TableDescriptionWire {
    static func encode(_ description: TableDescription, region: String) -> JSONValue {
        let table = description.definition
        var fields: [String: JSONValue] = [
            "TableName": .string(table.name),
            "TableArn": .string(TableName.arn(table.name, region: region)),
            "TableId": .string(table.tableID),
            "TableStatus": .string(description.status.rawValue),
            "CreationDateTime": .number(timestamp(table.creationDate)),
            "ItemCount": .number(String(description.itemCount)),
            "TableSizeBytes": .number(String(description.sizeBytes)),
            "DeletionProtectionEnabled": .bool(table.deletionProtection),
            "AttributeDefinitions": .array(
                table.attributeDefinitions.map {
                    .object(["AttributeName": .string($0.name), "AttributeType": .string($0.type.rawValue)])
                }),
            "KeySchema": keySchema(table.keySchema),
            "ProvisionedThroughput": .object([
                "NumberOfDecreasesToday": .number("0"),
                "ReadCapacityUnits": .number(String(table.throughput.readCapacityUnits)),
                "WriteCapacityUnits": .number(String(table.throughput.writeCapacityUnits)),
            ]),
        ]
        if !table.globalIndexes.isEmpty {
            fields["GlobalSecondaryIndexes"] = .array(
                table.globalIndexes.map {
                    IndexWire.encode($0, table: table, statistics: description.indexStatistics[$0.name], region: region)
                })
        }
        if !table.localIndexes.isEmpty {
            fields["LocalSecondaryIndexes"] = .array(
                table.localIndexes.map {
                    IndexWire.encode($0, table: table, statistics: description.indexStatistics[$0.name], region: region)
                })
        }
        if let stream = table.activeStream {
            fields["StreamSpecification"] = .object([
                "StreamEnabled": .bool(true), "StreamViewType": .string(stream.viewType.rawValue),
            ])
        }
        if let stream = table.latestStream {
            fields["LatestStreamArn"] = .string(StreamWire.arn(table: table.name, stream: stream, region: region))
            fields["LatestStreamLabel"] = .string(stream.label)
        }
        if let maxima = table.onDemandThroughput {
            fields["OnDemandThroughput"] = OnDemandThroughputWire.encode(maxima)
        }
        if let restore = table.restoreSummary {
            fields["RestoreSummary"] = BackupWire.restoreSummary(restore, region: region)
        }
        if table.billingMode == .payPerRequest {
            var summary: [String: JSONValue] = ["BillingMode": .string(table.billingMode.rawValue)]
            if let since = table.payPerRequestSince {
                summary["LastUpdateToPayPerRequestDateTime"] = .number(timestamp(since))
            }
            fields["BillingModeSummary"] = .object(summary)
        }
        return .object(fields)
    }

    /// DeleteTable's TableDescription: DynamoDB leaves out the schema (KeySchema,
    /// AttributeDefinitions, indexes) and CreationDateTime and answers with name, status,
    /// ARN, id, throughput, size, count and the billing summary. Recorded from DynamoDB in
    /// architect/dynalite#60 and by scylladb's test_delete_table_description (run against
    /// DynamoDB, scylladb/scylladb#14132). The API reference's example shows the same reduction.
    static func encodeDeleted(_ description: TableDescription, region: String) -> JSONValue {
        guard case .object(var fields) = encode(description, region: region) else { return encode(description, region: region) }
        let kept: Set<String> = [
            "TableName", "TableArn", "TableId", "TableStatus", "ItemCount", "TableSizeBytes",
            "ProvisionedThroughput", "BillingModeSummary",
        ]
        fields = fields.filter { kept.contains($0.key) }
        return .object(fields)
    }

    /// Every key attribute in key schema order (HASH ones, then RANGE ones).
    static func keySchema(_ schema: KeySchema) -> JSONValue {
        let hashes = schema.partitionKeys.map { JSONValue.object(["AttributeName": .string($0.name), "KeyType": .string("HASH")]) }
        let ranges = schema.sortKeys.map { JSONValue.object(["AttributeName": .string($0.name), "KeyType": .string("RANGE")]) }
        return .array(hashes + ranges)
    }

    /// Epoch seconds with millisecond precision, as the SDKs expect timestamps in JSON.
    static func timestamp(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded())
        let whole = millis / 1000
        let fraction = millis % 1000
        if fraction == 0 { return String(whole) }
        var digits = String(fraction)
        while digits.count < 3 { digits = "0" + digits }
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
