import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeExport.html
enum DescribeExportOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let arn = try request.string("ExportArn")
        violations.notNull(arn, at: "exportArn")
        violations.length(arn, min: 37, max: 1024, at: "exportArn")
        try violations.check()
        let reference = arn ?? ""
        let record = try engine.describeExport(id: TransferWire.id(fromARN: reference, kind: "export"), reference: reference)
        return .object(["ExportDescription": TransferWire.exportDescription(record, region: context.region)])
    }
}
