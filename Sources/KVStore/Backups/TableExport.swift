#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ExportTableToPointInTime's parameters after the protocol layer checked their shapes.
public struct ExportRequest: Sendable {
    public var tableName: String
    public var bucket: String
    public var prefix: String?
    /// nil: now.
    public var exportTime: Double?
    public var clientToken: String?
    /// The ARNs the manifest names (they carry the request's region).
    public var tableARN: String
    public var exportARNPrefix: String
    /// INCREMENTAL_EXPORT's window; nil for a full export.
    public var incremental: IncrementalExport?
    /// DYNAMODB_JSON or ION.
    public var format: ExportFormat

    public init(
        tableName: String, bucket: String, prefix: String?, exportTime: Double?, clientToken: String?, tableARN: String,
        exportARNPrefix: String, format: ExportFormat
    ) {
        self.format = format
        self.tableName = tableName
        self.bucket = bucket
        self.prefix = prefix
        self.exportTime = exportTime
        self.clientToken = clientToken
        self.tableARN = tableARN
        self.exportARNPrefix = exportARNPrefix
    }
}

/// ExportTableToPointInTime (full and incremental exports in DYNAMODB_JSON), DescribeExport, ListExports.
extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportTableToPointInTime.html
    /// The table as of `exportTime` (one read transaction, the PITR change log for a past time)
    /// written in DynamoDB's S3 export layout (`ExportLayout`) under `--export-dir`/<bucket>.
    /// Answers IN_PROGRESS once the snapshot's read transaction has begun (the export holds the
    /// table as of the request or `ExportTime`); the files are written in the background and
    /// the export turns COMPLETED (or FAILED, with FailureCode and FailureMessage).
    public func exportTable(_ request: ExportRequest) async throws -> ExportRecord {
        let table = try existingBackupSource(request.tableName)
        guard let recovery = table.pointInTimeRecovery, recovery.enabled else {
            throw KVError(
                .pointInTimeRecoveryUnavailable, "Point in time recovery is not enabled for table '\(request.tableName)'")
        }
        let started = now()
        if let time = request.exportTime, time < recovery.earliestRestorable(now: started) - 0.001 || time > started {
            throw KVError(.invalidExportTime, "Export time must be within the point in time recovery window of the table")
        }
        if let window = request.incremental {
            // DynamoDB also wants the window to last 15 minutes to 24 hours; a local server
            // exports any window within the PITR period.
            guard window.from >= recovery.earliestRestorable(now: started) - 0.001, window.to <= started, window.from < window.to else {
                throw KVError(
                    .invalidExportTime,
                    "ExportFromTime must be before ExportToTime, both within the point in time recovery window of the table")
            }
        }
        if let token = request.clientToken, let previous = exports.all().first(where: { $0.clientToken == token }) {
            guard previous.tableName == request.tableName, previous.bucket == request.bucket, previous.prefix == request.prefix else {
                throw KVError(.exportConflict, "There was a conflict when writing to the specified S3 bucket.")
            }
            return previous
        }
        let id = BackupStore.newID(now: started)
        let exportKey = ExportLayout.exportKey(prefix: request.prefix, id: id)
        let root = exportsDirectory + "/" + request.bucket + "/" + exportKey
        do {
            try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
            // DynamoDB's marker that the bucket is writable and the export has begun.
            try Data().write(to: URL(fileURLWithPath: root + "/_started"))
        } catch {
            throw KVError.validation("Cannot write to the export directory for bucket \(request.bucket)")
        }
        let exportTime = request.exportTime ?? started
        let record = ExportRecord(
            id: id, tableName: request.tableName, tableID: table.tableID, status: .inProgress, kind: request.incremental == nil ? .full : .incremental,
            format: request.format.name, bucket: request.bucket, prefix: request.prefix, startTime: started, endTime: nil,
            exportTime: request.incremental?.to ?? exportTime, clientToken: request.clientToken, itemCount: 0,
            billedSizeBytes: 0, manifestKey: nil, incremental: request.incremental)
        exports.save(record, id: id)
        try await jobs.start(
            untilReady: { [self] ready in
                var finished = record
                try await writeExport(request, table: table, exportKey: exportKey, started: started, record: &finished, ready: ready)
                exports.save(finished, id: id)
            },
            failed: { [self] _ in
                var failed = record
                failed.status = .failed
                failed.endTime = now()
                failed.failureCode = "ExportFailed"
                failed.failureMessage = "The export could not be written"
                exports.save(failed, id: id)
            })
        return record
    }

    /// The work of an export, in the background: the data file, then the manifests and their
    /// checksums, then COMPLETED in `record`.
    private func writeExport(
        _ request: ExportRequest, table: TableDefinition, exportKey: String, started: Double,
        record: inout ExportRecord, ready: @escaping @Sendable () -> Void
    ) async throws {
        let format = request.format
        let exportTime = request.exportTime ?? started
        let bucketPath = exportsDirectory + "/" + request.bucket
        let snapshotPath = bucketPath + "/" + exportKey + "/snapshot.items"
        defer { unlink(snapshotPath) }
        let dataKey = exportKey + "/data/" + UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(26) + format.fileExtension
        let dataPath = bucketPath + "/" + dataKey
        let count: Int64
        let sizeBytes: Int64
        if let window = request.incremental {
            // The change log of a past window cannot change any more.
            ready()
            (count, sizeBytes) = try await writeIncrementalData(
                tableName: request.tableName, storageID: table.storageID, window: window, to: dataPath, format: format)
        } else {
            let snapshot = try await writeSnapshot(
                of: request.tableName, storageID: table.storageID, to: snapshotPath,
                asOf: request.exportTime.flatMap { $0 < started ? $0 : nil }, pinned: ready)
            // Reading, encoding and compressing every item blocks: on a reader thread, never
            // on the event loop the request arrived on.
            count = try await storage.read { _ in
                try Self.writeDataFile(from: snapshotPath, to: dataPath, format: format)
            }
            sizeBytes = snapshot.sizeBytes
        }
        let dataDigest = try FileDigest(ofFile: dataPath)
        let filesKey = exportKey + "/manifest-files.json"
        var files = try ExportLayout.json(
            ExportLayout.ManifestFile(itemCount: count, md5: dataDigest.base64, etag: dataDigest.hex, dataFileS3Key: dataKey).fields)
        files.append(0x0A)
        let filesDigest = try ExportLayout.writeWithChecksum(files, to: bucketPath + "/" + filesKey)
        let finished = now()
        let summaryKey = exportKey + "/manifest-summary.json"
        let summary = ExportLayout.ManifestSummary(
            exportArn: request.exportARNPrefix + record.id, startTime: ExportLayout.isoTime(started),
            endTime: ExportLayout.isoTime(finished), tableArn: request.tableARN, tableId: table.tableID,
            exportTime: ExportLayout.isoTime(request.incremental?.to ?? exportTime), s3Bucket: request.bucket, s3Prefix: request.prefix,
            manifestFilesS3Key: filesKey, manifestFilesMd5: filesDigest.base64, billedSizeBytes: sizeBytes, itemCount: count,
            outputFormat: record.format, exportType: record.kind.rawValue)
        try ExportLayout.writeWithChecksum(try ExportLayout.json(summary.fields), to: bucketPath + "/" + summaryKey)
        record.status = .completed
        record.endTime = finished
        record.itemCount = count
        record.billedSizeBytes = sizeBytes
        record.manifestKey = summaryKey
    }

    /// Converts a snapshot into one gzip file of `Item` lines; returns the item count.
    static func writeDataFile(from snapshotPath: String, to path: String, format: ExportFormat) throws -> Int64 {
        let reader = try SnapshotFile.Reader(path: snapshotPath)
        let output = try CompressedFile(path: path, mode: "wb")
        var count: Int64 = 0
        var buffer: [UInt8] = []
        while let record = try reader.next() {
            buffer += format.line([("Item", format.encodeItem(try ItemCodec.decode(record.encoded)))])
            count += 1
            if buffer.count >= 1 << 16 {
                try output.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try output.write(buffer)
        try output.close()
        return count
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeExport.html
    public func describeExport(id: String, reference: String) throws(KVError) -> ExportRecord {
        guard let record = exports.record(id) else { throw KVError(.exportNotFound, "Export not found: \(reference)") }
        return record
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListExports.html
    /// Oldest first; `next` is the id to continue after.
    public func listExports(tableName: String?, limit: Int, after: String?) -> (exports: [ExportRecord], next: String?) {
        let matching = exports.all()
            .filter { record in (tableName == nil || record.tableName == tableName) && (after.map { record.id > $0 } ?? true) }
            .sorted { $0.id < $1.id }
        guard matching.count > limit else { return (matching, nil) }
        let page = Array(matching.prefix(limit))
        return (page, page.last?.id)
    }
}
