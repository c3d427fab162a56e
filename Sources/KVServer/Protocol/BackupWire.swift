import KVStore

/// Backup shapes on the wire: ARNs, BackupDetails, BackupDescription, BackupSummary,
/// RestoreSummary, ContinuousBackupsDescription, and the restore overrides.
enum BackupWire {
    /// `arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>`.
    static func arn(_ record: BackupRecord, region: String) -> String {
        arn(table: record.table.name, id: record.id, region: region)
    }

    static func arn(table: String, id: String, region: String) -> String {
        TableName.arn(table, region: region) + "/backup/" + id
    }

    /// The backup id at the end of a BackupArn (anything else finds no backup).
    static func id(fromARN value: String) -> String {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[parts.count - 2] == "backup", let last = parts.last else { return value }
        return String(last)
    }

    /// Reads and checks a BackupArn field (37...1024 characters).
    static func readARN(_ request: WireObject, field: String, path: String, required: Bool, into violations: inout ConstraintViolations)
        throws(KVError) -> String?
    {
        let value = try request.string(field)
        if required { violations.notNull(value, at: path) }
        violations.length(value, min: 37, max: 1024, at: path)
        return value
    }

    /// A timestamp parameter: epoch seconds (SDKs send a JSON number).
    static func timestamp(_ request: WireObject, _ field: String) throws(KVError) -> Double? {
        guard let value = request[field] else { return nil }
        switch value {
        case .number(let text):
            guard let seconds = Double(text), seconds.isFinite else { throw .serialization("Unexpected field type") }
            return seconds
        case .string(let text):
            guard let seconds = Double(text), seconds.isFinite else { throw .serialization("Unexpected field type") }
            return seconds
        default:
            throw WireObject.mismatch(value, expected: "Date")
        }
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BackupDetails.html
    static func details(_ record: BackupRecord, region: String) -> JSONValue {
        .object([
            "BackupArn": .string(arn(record, region: region)),
            "BackupName": .string(record.name),
            "BackupSizeBytes": .number(String(record.sizeBytes)),
            "BackupStatus": .string(record.status.rawValue),
            "BackupType": .string(record.kind.rawValue),
            "BackupCreationDateTime": .number(TableDescriptionWire.timestamp(record.creationDate)),
        ])
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BackupDescription.html
    static func description(_ record: BackupRecord, region: String) -> JSONValue {
        let table = record.table
        let source: [String: JSONValue] = [
            "TableName": .string(table.name),
            "TableId": .string(table.tableID),
            "TableArn": .string(TableName.arn(table.name, region: region)),
            "TableSizeBytes": .number(String(record.sizeBytes)),
            "KeySchema": TableDescriptionWire.keySchema(table.keySchema),
            "TableCreationDateTime": .number(TableDescriptionWire.timestamp(table.creationDate)),
            "ProvisionedThroughput": .object([
                "ReadCapacityUnits": .number(String(table.throughput.readCapacityUnits)),
                "WriteCapacityUnits": .number(String(table.throughput.writeCapacityUnits)),
            ]),
            "ItemCount": .number(String(record.itemCount)),
            "BillingMode": .string(table.billingMode.rawValue),
        ]
        var features: [String: JSONValue] = [:]
        if !table.localIndexes.isEmpty {
            features["LocalSecondaryIndexes"] = .array(table.localIndexes.map { indexInfo($0) })
        }
        let global = table.globalIndexes.filter { $0.status != .deleting }
        if !global.isEmpty {
            features["GlobalSecondaryIndexes"] = .array(global.map { indexInfo($0) })
        }
        if let stream = table.activeStream {
            features["StreamDescription"] = .object([
                "StreamEnabled": .bool(true), "StreamViewType": .string(stream.viewType.rawValue),
            ])
        }
        if let attribute = table.ttlAttribute {
            features["TimeToLiveDescription"] = .object([
                "TimeToLiveStatus": .string("ENABLED"), "AttributeName": .string(attribute),
            ])
        }
        return .object([
            "BackupDetails": details(record, region: region),
            "SourceTableDetails": .object(source),
            "SourceTableFeatureDetails": .object(features),
        ])
    }

    /// An index in SourceTableFeatureDetails: name, key schema, projection (and a global
    /// index's throughput).
    private static func indexInfo(_ index: IndexDefinition) -> JSONValue {
        var projection: [String: JSONValue] = ["ProjectionType": .string(index.projection.kind.rawValue)]
        if index.projection.kind == .include {
            projection["NonKeyAttributes"] = .array(index.projection.nonKeyAttributes.map { .string($0) })
        }
        var fields: [String: JSONValue] = [
            "IndexName": .string(index.name),
            "KeySchema": TableDescriptionWire.keySchema(index.keySchema),
            "Projection": .object(projection),
        ]
        if index.isGlobal {
            fields["ProvisionedThroughput"] = .object([
                "ReadCapacityUnits": .number(String(index.throughput.readCapacityUnits)),
                "WriteCapacityUnits": .number(String(index.throughput.writeCapacityUnits)),
            ])
        }
        return .object(fields)
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BackupSummary.html
    static func summary(_ record: BackupRecord, region: String) -> JSONValue {
        .object([
            "TableName": .string(record.table.name),
            "TableId": .string(record.table.tableID),
            "TableArn": .string(TableName.arn(record.table.name, region: region)),
            "BackupArn": .string(arn(record, region: region)),
            "BackupName": .string(record.name),
            "BackupCreationDateTime": .number(TableDescriptionWire.timestamp(record.creationDate)),
            "BackupStatus": .string(record.status.rawValue),
            "BackupType": .string(record.kind.rawValue),
            "BackupSizeBytes": .number(String(record.sizeBytes)),
        ])
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreSummary.html
    static func restoreSummary(_ summary: RestoreSummary, region: String) -> JSONValue {
        var fields: [String: JSONValue] = [
            "RestoreDateTime": .number(TableDescriptionWire.timestamp(summary.restoreDate)),
            "RestoreInProgress": .bool(summary.inProgress),
        ]
        if let table = summary.sourceTableName {
            fields["SourceTableArn"] = .string(TableName.arn(table, region: region))
            if let id = summary.sourceBackupID {
                fields["SourceBackupArn"] = .string(arn(table: table, id: id, region: region))
            }
        }
        return .object(fields)
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ContinuousBackupsDescription.html
    /// Continuous backups (the service's own backups) are always ENABLED, as on DynamoDB.
    static func continuousBackups(_ state: ContinuousBackupsState) -> JSONValue {
        var recovery: [String: JSONValue] = ["PointInTimeRecoveryStatus": .string("DISABLED")]
        if let setting = state.pointInTimeRecovery, setting.enabled {
            recovery["PointInTimeRecoveryStatus"] = .string("ENABLED")
            recovery["RecoveryPeriodInDays"] = .number(String(setting.recoveryPeriodInDays))
            if let earliest = state.earliestRestorable {
                recovery["EarliestRestorableDateTime"] = .number(TableDescriptionWire.timestamp(earliest))
            }
            if let latest = state.latestRestorable {
                recovery["LatestRestorableDateTime"] = .number(TableDescriptionWire.timestamp(latest))
            }
        }
        return .object([
            "ContinuousBackupsDescription": .object([
                "ContinuousBackupsStatus": .string("ENABLED"),
                "PointInTimeRecoveryDescription": .object(recovery),
            ])
        ])
    }

    /// BillingModeOverride, ProvisionedThroughputOverride, GlobalSecondaryIndexOverride,
    /// LocalSecondaryIndexOverride and SSESpecificationOverride (accepted; we encrypt nothing).
    static func overrides(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) -> RestoreOverrides {
        let billing = try request.string("BillingModeOverride")
        violations.oneOf(billing, ["PROVISIONED", "PAY_PER_REQUEST"], at: "billingModeOverride")
        let throughput = try ThroughputWire.decode(
            request.object("ProvisionedThroughputOverride"), path: "provisionedThroughputOverride", into: &violations)
        let global = try request.array("GlobalSecondaryIndexOverride")?.enumerated().map { (offset, element) throws(KVError) in
            try IndexWire.decode(element, path: "globalSecondaryIndexOverride.\(offset + 1).member", global: true, into: &violations)
        }
        let local = try request.array("LocalSecondaryIndexOverride")?.enumerated().map { (offset, element) throws(KVError) in
            try IndexWire.decode(element, path: "localSecondaryIndexOverride.\(offset + 1).member", global: false, into: &violations)
        }
        if let sse = try request.object("SSESpecificationOverride") {
            _ = try sse.bool("Enabled")
            let type = try sse.string("SSEType")
            violations.oneOf(type, ["AES256", "KMS"], at: "sSESpecificationOverride.sSEType")
        }
        return RestoreOverrides(
            billingMode: billing.flatMap(BillingMode.init(rawValue:)), provisionedThroughput: throughput,
            globalSecondaryIndexes: global, localSecondaryIndexes: local)
    }
}
