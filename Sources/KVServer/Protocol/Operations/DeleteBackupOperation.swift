import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteBackup.html
enum DeleteBackupOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let arn = try BackupWire.readARN(request, field: "BackupArn", path: "backupArn", required: true, into: &violations)
        try violations.check()
        let reference = arn ?? ""
        let record = try await engine.deleteBackup(id: BackupWire.id(fromARN: reference), reference: reference)
        return .object(["BackupDescription": BackupWire.description(record, region: context.region)])
    }
}
