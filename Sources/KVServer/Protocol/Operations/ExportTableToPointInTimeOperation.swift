import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportTableToPointInTime.html
/// Full and incremental exports in DYNAMODB_JSON or ION into `--export-dir`/<S3Bucket>/<S3Prefix>/AWSDynamoDB/<id>/.
enum ExportTableToPointInTimeOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableARN = try request.string("TableArn")
        violations.notNull(tableARN, at: "tableArn")
        violations.length(tableARN, min: 1, max: 1024, at: "tableArn")
        let bucket = try request.string("S3Bucket")
        violations.notNull(bucket, at: "s3Bucket")
        violations.length(bucket, max: 255, at: "s3Bucket")
        let prefix = try request.string("S3Prefix")
        violations.length(prefix, max: 1024, at: "s3Prefix")
        let format = try request.string("ExportFormat")
        violations.oneOf(format, ["DYNAMODB_JSON", "ION"], at: "exportFormat")
        let type = try request.string("ExportType")
        violations.oneOf(type, ["FULL_EXPORT", "INCREMENTAL_EXPORT"], at: "exportType")
        let algorithm = try request.string("S3SseAlgorithm")
        violations.oneOf(algorithm, ["AES256", "KMS"], at: "s3SseAlgorithm")
        let token = try request.string("ClientToken")
        let time = try BackupWire.timestamp(request, "ExportTime")
        let specification = try request.object("IncrementalExportSpecification")
        let from = try specification.flatMap { object throws(KVError) in try BackupWire.timestamp(object, "ExportFromTime") }
        let to = try specification.flatMap { object throws(KVError) in try BackupWire.timestamp(object, "ExportToTime") }
        let view = try specification?.string("ExportViewType")
        violations.oneOf(view, ["NEW_IMAGE", "NEW_AND_OLD_IMAGES"], at: "incrementalExportSpecification.exportViewType")
        try violations.check()
        try TransferWire.checkBucket(bucket, prefix: prefix, at: "s3Bucket", prefixPath: "s3Prefix")
        var incremental: IncrementalExport?
        if type == "INCREMENTAL_EXPORT" {
            guard let from, let to else {
                throw KVError.validation("IncrementalExportSpecification with ExportFromTime and ExportToTime is required for an incremental export")
            }
            if time != nil {
                throw KVError.validation("ExportTime cannot be specified for an incremental export")
            }
            incremental = IncrementalExport(
                from: from, to: to, viewType: view.flatMap(IncrementalExport.ViewType.init(rawValue:)) ?? .newAndOldImages)
        }
        let name = tableARN.flatMap { TableName.nameInARN($0) } ?? tableARN ?? ""
        let arn = TableName.arn(name, region: context.region)
        var exportRequest = ExportRequest(
            tableName: name, bucket: bucket ?? "", prefix: prefix, exportTime: time, clientToken: token,
            tableARN: arn, exportARNPrefix: arn + "/export/", format: format == "ION" ? .ion : .dynamoDBJSON(encodeItem: TransferWire.encodeItem))
        exportRequest.incremental = incremental
        let record = try await engine.exportTable(exportRequest)
        return .object(["ExportDescription": TransferWire.exportDescription(record, region: context.region)])
    }
}
