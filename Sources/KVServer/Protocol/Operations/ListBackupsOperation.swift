import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListBackups.html
enum ListBackupsOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations, required: false)
        let limit = try request.integer("Limit")
        violations.range(limit, min: 1, max: 100, at: "limit")
        let type = try request.string("BackupType")
        violations.oneOf(type, ["USER", "SYSTEM", "AWS_BACKUP", "ALL"], at: "backupType")
        let start = try BackupWire.readARN(
            request, field: "ExclusiveStartBackupArn", path: "exclusiveStartBackupArn", required: false, into: &violations)
        let lower = try BackupWire.timestamp(request, "TimeRangeLowerBound")
        let upper = try BackupWire.timestamp(request, "TimeRangeUpperBound")
        try violations.check()
        let kinds: Set<BackupRecord.Kind> =
            switch type {
            case nil, "ALL": Set(BackupRecord.Kind.allCases)
            default: Set([type.flatMap(BackupRecord.Kind.init(rawValue:))].compactMap { $0 })
            }
        let query = BackupListQuery(
            tableName: tableName, createdFrom: lower, createdBefore: upper, kinds: kinds, limit: limit.map { Int($0) },
            exclusiveStartID: start.map(BackupWire.id(fromARN:)))
        let page = try await engine.listBackups(query)
        var fields: [String: JSONValue] = [
            "BackupSummaries": .array(page.backups.map { BackupWire.summary($0, region: context.region) })
        ]
        if let last = page.lastEvaluatedID, let record = page.backups.last, record.id == last {
            fields["LastEvaluatedBackupArn"] = .string(BackupWire.arn(record, region: context.region))
        }
        return .object(fields)
    }
}
