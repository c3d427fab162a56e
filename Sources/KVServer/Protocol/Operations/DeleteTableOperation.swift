import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
enum DeleteTableOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let name = try TableName.read(request, minLength: 3, into: &violations)
        try violations.check()
        let description = try await engine.deleteTable(name ?? "")
        return .object(["TableDescription": TableDescriptionWire.encodeDeleted(description, region: context.region)])
    }
}
