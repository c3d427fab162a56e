import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateBackup.html
enum CreateBackupOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations)
        let backupName = try request.string("BackupName")
        violations.notNull(backupName, at: "backupName")
        violations.pattern(backupName, TableName.pattern, matches: TableName.isValidName, at: "backupName")
        violations.length(backupName, min: 3, max: 255, at: "backupName")
        try violations.check()
        let record = try await engine.createBackup(tableName: tableName ?? "", backupName: backupName ?? "")
        return .object(["BackupDetails": BackupWire.details(record, region: context.region)])
    }
}
