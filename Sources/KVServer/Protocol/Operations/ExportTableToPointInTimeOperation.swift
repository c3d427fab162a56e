import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportTableToPointInTime.html
/// Full exports in DYNAMODB_JSON into `--export-dir`/<S3Bucket>/<S3Prefix>/AWSDynamoDB/<id>/.
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
        try violations.check()
        try TransferWire.checkBucket(bucket, prefix: prefix, at: "s3Bucket", prefixPath: "s3Prefix")
        if format == "ION" {
            throw KVError.validation("ExportFormat ION is not supported by this server; use DYNAMODB_JSON")
        }
        if type == "INCREMENTAL_EXPORT" {
            throw KVError.validation("ExportType INCREMENTAL_EXPORT is not supported by this server; use FULL_EXPORT")
        }
        let name = tableARN.flatMap { TableName.nameInARN($0) } ?? tableARN ?? ""
        let arn = TableName.arn(name, region: context.region)
        let record = try await engine.exportTable(
            ExportRequest(
                tableName: name, bucket: bucket ?? "", prefix: prefix, exportTime: time, clientToken: token,
                tableARN: arn, exportARNPrefix: arn + "/export/"),
            encodeItem: TransferWire.encodeItem)
        return .object(["ExportDescription": TransferWire.exportDescription(record, region: context.region)])
    }
}
