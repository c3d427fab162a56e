import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html
enum DescribeContinuousBackupsOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations)
        try violations.check()
        return BackupWire.continuousBackups(try engine.describeContinuousBackups(tableName: tableName ?? ""))
    }
}
