import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
enum RestoreTableToPointInTimeOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let sourceName = try TableName.read(
            request, field: "SourceTableName", path: "sourceTableName", minLength: 3, into: &violations, required: false)
        let sourceARN = try request.string("SourceTableArn")
        violations.length(sourceARN, min: 1, max: 1024, at: "sourceTableArn")
        let target = try TableName.read(
            request, field: "TargetTableName", path: "targetTableName", minLength: 3, into: &violations)
        let time = try BackupWire.timestamp(request, "RestoreDateTime")
        let useLatest = try request.bool("UseLatestRestorableTime") ?? false
        let overrides = try BackupWire.overrides(request, into: &violations)
        try violations.check()
        let source: String
        switch (sourceName, sourceARN.map { TableName.nameInARN($0) ?? $0 }) {
        case (let name?, nil), (nil, let name?): source = name
        case (.some, .some):
            throw KVError.validation("Only one of SourceTableName or SourceTableArn can be specified")
        case (nil, nil):
            throw KVError.validation("Either SourceTableName or SourceTableArn must be specified")
        }
        if useLatest && time != nil {
            throw KVError.validation("Only one of RestoreDateTime or UseLatestRestorableTime can be specified")
        }
        if !useLatest && time == nil {
            throw KVError.validation("Either RestoreDateTime or UseLatestRestorableTime must be specified")
        }
        let description = try await engine.restoreTableToPointInTime(
            sourceTableName: source, targetTableName: target ?? "", time: useLatest ? nil : time, overrides: overrides)
        return .object(["TableDescription": TableDescriptionWire.encode(description, region: context.region)])
    }
}
