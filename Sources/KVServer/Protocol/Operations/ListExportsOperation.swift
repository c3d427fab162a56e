import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListExports.html
enum ListExportsOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableARN = try request.string("TableArn")
        let limit = try request.integer("MaxResults")
        violations.range(limit, min: 1, max: 25, at: "maxResults")
        let token = try request.string("NextToken")
        try violations.check()
        let name = tableARN.flatMap { TableName.nameInARN($0) } ?? tableARN
        let page = engine.listExports(tableName: name, limit: Int(limit ?? 25), after: token)
        var fields: [String: JSONValue] = [
            "ExportSummaries": .array(
                page.exports.map { record in
                    .object([
                        "ExportArn": .string(TableName.arn(record.tableName, region: context.region) + "/export/" + record.id),
                        "ExportStatus": .string(record.status.rawValue),
                        "ExportType": .string(record.kind.rawValue),
                    ])
                })
        ]
        if let next = page.next { fields["NextToken"] = .string(next) }
        return .object(fields)
    }
}
