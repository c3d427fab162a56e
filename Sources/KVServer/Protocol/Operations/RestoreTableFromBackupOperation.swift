import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableFromBackup.html
enum RestoreTableFromBackupOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let target = try TableName.read(
            request, field: "TargetTableName", path: "targetTableName", minLength: 3, into: &violations)
        let arn = try BackupWire.readARN(request, field: "BackupArn", path: "backupArn", required: true, into: &violations)
        let overrides = try BackupWire.overrides(request, into: &violations)
        try violations.check()
        let reference = arn ?? ""
        let description = try await engine.restoreTableFromBackup(
            id: BackupWire.id(fromARN: reference), reference: reference, targetTableName: target ?? "", overrides: overrides)
        return .object(["TableDescription": TableDescriptionWire.encode(description, region: context.region)])
    }
}
