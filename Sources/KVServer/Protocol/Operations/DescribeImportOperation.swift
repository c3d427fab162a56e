import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeImport.html
enum DescribeImportOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let arn = try request.string("ImportArn")
        violations.notNull(arn, at: "importArn")
        violations.length(arn, min: 37, max: 1024, at: "importArn")
        try violations.check()
        let reference = arn ?? ""
        let record = try engine.describeImport(id: TransferWire.id(fromARN: reference, kind: "import"), reference: reference)
        return .object(["ImportTableDescription": TransferWire.importDescription(record, region: context.region)])
    }
}
