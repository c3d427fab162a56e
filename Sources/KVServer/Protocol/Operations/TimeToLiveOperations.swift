import KVStore

/// UpdateTimeToLive and DescribeTimeToLive.
enum TimeToLiveOperations {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
    static func update(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations)
        let specification = try request.object("TimeToLiveSpecification")
        violations.notNull(specification, at: "timeToLiveSpecification")
        let enabled = try specification?.bool("Enabled")
        let attribute = try specification?.string("AttributeName")
        if specification != nil {
            violations.notNull(enabled, at: "timeToLiveSpecification.enabled")
            violations.notNull(attribute, at: "timeToLiveSpecification.attributeName")
            violations.length(attribute, min: 1, max: 255, at: "timeToLiveSpecification.attributeName")
        }
        try violations.check()
        let setting = try await engine.updateTimeToLive(
            tableName: tableName ?? "", enabled: enabled ?? false, attributeName: attribute ?? "")
        return .object([
            "TimeToLiveSpecification": .object([
                "Enabled": .bool(setting.enabled), "AttributeName": .string(setting.attributeName),
            ])
        ])
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html
    static func describe(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations)
        try violations.check()
        var description: [String: JSONValue] = ["TimeToLiveStatus": .string("DISABLED")]
        if let setting = try engine.describeTimeToLive(tableName: tableName ?? ""), setting.enabled {
            description = ["TimeToLiveStatus": .string("ENABLED"), "AttributeName": .string(setting.attributeName)]
        }
        return .object(["TimeToLiveDescription": .object(description)])
    }
}
