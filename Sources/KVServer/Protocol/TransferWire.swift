import KVStore

/// Export and import shapes on the wire, and the checks that keep S3 names inside `--export-dir`.
enum TransferWire {
    /// The id at the end of `<table arn>/<kind>/<id>` (anything else finds nothing).
    static func id(fromARN value: String, kind: String) -> String {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[parts.count - 2] == kind, let last = parts.last else { return value }
        return String(last)
    }

    /// An S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit): it
    /// names a directory under `--export-dir`, so nothing else may pass.
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        func alphanumeric(_ byte: UInt8) -> Bool { (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) }
        return alphanumeric(first) && alphanumeric(last) && !name.contains("..")
            && bytes.allSatisfy { alphanumeric($0) || $0 == 0x2E || $0 == 0x2D }
    }

    /// A key prefix may not climb out of its bucket (no `..` segment, no leading `/`).
    static func isSafePrefix(_ prefix: String) -> Bool {
        !prefix.hasPrefix("/") && !prefix.split(separator: "/").contains { $0 == ".." || $0 == "." }
            && !prefix.utf8.contains(0)
    }

    static func checkBucket(_ bucket: String?, prefix: String?, at path: String, prefixPath: String) throws(KVError) {
        if let bucket, !isBucketName(bucket) {
            throw KVError.validation("Invalid S3 bucket name: \(bucket)")
        }
        if let prefix, !isSafePrefix(prefix) {
            throw KVError.validation("Invalid S3 key prefix: \(prefix)")
        }
    }

    /// One item as an export line's `Item` (DynamoDB JSON).
    static func encodeItem(_ item: Item) -> [UInt8] {
        var out: [UInt8] = []
        JSONWriter.write(AttributeValueWire.encodeItem(item), into: &out)
        return out
    }

    /// One DYNAMODB_JSON input line: `{"Item": {...}}`.
    static func decodeLine(_ line: [UInt8]) throws -> Item {
        let document = try WireObject(try JSONParser.parse(line))
        guard let item = try document.map("Item") else { throw KVError.validation("A line has no Item") }
        return try AttributeValueWire.decodeItem(item)
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportDescription.html
    static func exportDescription(_ record: ExportRecord, region: String) -> JSONValue {
        let tableARN = TableName.arn(record.tableName, region: region)
        var fields: [String: JSONValue] = [
            "ExportArn": .string(tableARN + "/export/" + record.id),
            "ExportStatus": .string(record.status.rawValue),
            "StartTime": .number(TableDescriptionWire.timestamp(record.startTime)),
            "TableArn": .string(tableARN),
            "TableId": .string(record.tableID),
            "ExportTime": .number(TableDescriptionWire.timestamp(record.exportTime)),
            "S3Bucket": .string(record.bucket),
            "S3SseAlgorithm": .string("AES256"),
            "ExportFormat": .string(record.format),
            "ExportType": .string(record.kind.rawValue),
            "ItemCount": .number(String(record.itemCount)),
            "BilledSizeBytes": .number(String(record.billedSizeBytes)),
        ]
        if let end = record.endTime { fields["EndTime"] = .number(TableDescriptionWire.timestamp(end)) }
        if let prefix = record.prefix { fields["S3Prefix"] = .string(prefix) }
        if let token = record.clientToken { fields["ClientToken"] = .string(token) }
        if let manifest = record.manifestKey { fields["ExportManifest"] = .string(manifest) }
        if let code = record.failureCode { fields["FailureCode"] = .string(code) }
        if let failure = record.failureMessage { fields["FailureMessage"] = .string(failure) }
        if let window = record.incremental {
            fields["IncrementalExportSpecification"] = .object([
                "ExportFromTime": .number(TableDescriptionWire.timestamp(window.from)),
                "ExportToTime": .number(TableDescriptionWire.timestamp(window.to)),
                "ExportViewType": .string(window.viewType.rawValue),
            ])
        }
        return .object(fields)
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ImportTableDescription.html
    static func importDescription(_ record: ImportRecord, region: String) -> JSONValue {
        let tableARN = TableName.arn(record.tableName, region: region)
        var source: [String: JSONValue] = ["S3Bucket": .string(record.bucket)]
        if let prefix = record.keyPrefix { source["S3KeyPrefix"] = .string(prefix) }
        var fields: [String: JSONValue] = [
            "ImportArn": .string(tableARN + "/import/" + record.id),
            "ImportStatus": .string(record.status.rawValue),
            "TableArn": .string(tableARN),
            "TableId": .string(record.tableID),
            "S3BucketSource": .object(source),
            "ErrorCount": .number(String(record.errorCount)),
            "InputFormat": .string(record.inputFormat),
            "InputCompressionType": .string(record.compression),
            "StartTime": .number(TableDescriptionWire.timestamp(record.startTime)),
            "ProcessedSizeBytes": .number(String(record.processedSizeBytes)),
            "ProcessedItemCount": .number(String(record.processedItemCount)),
            "ImportedItemCount": .number(String(record.importedItemCount)),
        ]
        if let end = record.endTime { fields["EndTime"] = .number(TableDescriptionWire.timestamp(end)) }
        if let token = record.clientToken { fields["ClientToken"] = .string(token) }
        if let code = record.failureCode { fields["FailureCode"] = .string(code) }
        if let message = record.failureMessage { fields["FailureMessage"] = .string(message) }
        return .object(fields)
    }
}
