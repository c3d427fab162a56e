import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ImportTable.html
/// DYNAMODB_JSON, ION or CSV objects, gzip- or zstd-compressed or not, from `--export-dir`/<S3Bucket>/<S3KeyPrefix>.
enum ImportTableOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let source = try request.object("S3BucketSource")
        violations.notNull(source, at: "s3BucketSource")
        let bucket = try source?.string("S3Bucket")
        if source != nil { violations.notNull(bucket, at: "s3BucketSource.s3Bucket") }
        let prefix = try source?.string("S3KeyPrefix")
        let format = try request.string("InputFormat")
        violations.notNull(format, at: "inputFormat")
        violations.oneOf(format, ["DYNAMODB_JSON", "ION", "CSV"], at: "inputFormat")
        let compression = try request.string("InputCompressionType")
        violations.oneOf(compression, ["GZIP", "ZSTD", "NONE"], at: "inputCompressionType")
        let parameters = try request.object("TableCreationParameters")
        violations.notNull(parameters, at: "tableCreationParameters")
        let token = try request.string("ClientToken")
        let csv = try request.object("InputFormatOptions")?.object("Csv")
        let delimiter = try csv?.string("Delimiter")
        violations.length(delimiter, min: 1, max: 1, at: "inputFormatOptions.csv.delimiter")
        let header = try csv?.array("HeaderList")?.map { value throws(KVError) in try WireObject.string(value) }
        try violations.check()
        try TransferWire.checkBucket(bucket, prefix: prefix, at: "s3BucketSource.s3Bucket", prefixPath: "s3BucketSource.s3KeyPrefix")
        let table = try CreateTableOperation.decode(.object(parameters?.fields ?? [:]))
        var importRequest = ImportRequest(
            bucket: bucket ?? "", keyPrefix: prefix, inputFormat: format ?? "DYNAMODB_JSON",
            compression: compression ?? "NONE", clientToken: token, table: table, decodeLine: TransferWire.decodeLine)
        if let delimiter, let byte = delimiter.utf8.first, delimiter.utf8.count == 1 {
            importRequest.csvDelimiter = byte
        }
        importRequest.csvHeader = header
        let record = try await engine.importTable(importRequest)
        return .object(["ImportTableDescription": TransferWire.importDescription(record, region: context.region)])
    }
}
