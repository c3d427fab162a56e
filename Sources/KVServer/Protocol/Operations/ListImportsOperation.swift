import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListImports.html
enum ListImportsOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableARN = try request.string("TableArn")
        let limit = try request.integer("PageSize")
        violations.range(limit, min: 1, max: 25, at: "pageSize")
        let token = try request.string("NextToken")
        try violations.check()
        let name = tableARN.flatMap { TableName.nameInARN($0) } ?? tableARN
        let page = engine.listImports(tableName: name, limit: Int(limit ?? 25), after: token)
        var fields: [String: JSONValue] = [
            "ImportSummaryList": .array(
                page.imports.map { record in
                    var summary: [String: JSONValue] = [
                        "ImportArn": .string(TableName.arn(record.tableName, region: context.region) + "/import/" + record.id),
                        "ImportStatus": .string(record.status.rawValue),
                        "TableArn": .string(TableName.arn(record.tableName, region: context.region)),
                        "InputFormat": .string(record.inputFormat),
                        "StartTime": .number(TableDescriptionWire.timestamp(record.startTime)),
                        "S3BucketSource": .object(["S3Bucket": .string(record.bucket)]),
                    ]
                    if let end = record.endTime { summary["EndTime"] = .number(TableDescriptionWire.timestamp(end)) }
                    return .object(summary)
                })
        ]
        if let next = page.next { fields["NextToken"] = .string(next) }
        return .object(fields)
    }
}
