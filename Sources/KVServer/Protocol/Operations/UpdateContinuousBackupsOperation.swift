import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
enum UpdateContinuousBackupsOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations)
        let specification = try request.object("PointInTimeRecoverySpecification")
        violations.notNull(specification, at: "pointInTimeRecoverySpecification")
        let enabled = try specification?.bool("PointInTimeRecoveryEnabled")
        let period = try specification?.integer("RecoveryPeriodInDays")
        if specification != nil {
            violations.notNull(enabled, at: "pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled")
            violations.range(
                period, min: Int64(PointInTimeRecoveryDefinition.recoveryPeriodRange.lowerBound),
                max: Int64(PointInTimeRecoveryDefinition.recoveryPeriodRange.upperBound),
                at: "pointInTimeRecoverySpecification.recoveryPeriodInDays")
        }
        try violations.check()
        if enabled == false, period != nil {
            throw KVError.validation("RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true")
        }
        let state = try await engine.updateContinuousBackups(
            tableName: tableName ?? "", enabled: enabled ?? false, recoveryPeriodInDays: period.map { Int($0) })
        return BackupWire.continuousBackups(state)
    }
}
