#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// DynamoDB's S3 export layout, written into `<export dir>/<S3Bucket>/<S3Prefix>/`:
///
///     AWSDynamoDB/<export id>/manifest-summary.json      one JSON object: what, when, how many
///     AWSDynamoDB/<export id>/manifest-summary.checksum  the MD5 of manifest-summary.json (hex)
///     AWSDynamoDB/<export id>/manifest-files.json        one JSON line per data file, with its
///                                                        MD5 (`md5` base64, `etag` hex)
///     AWSDynamoDB/<export id>/manifest-files.checksum    the MD5 of manifest-files.json (hex)
///     AWSDynamoDB/<export id>/data/<name>.json.gz        one `{"Item": {...DynamoDB JSON...}}` per line
///                                        (<name>.ion.gz: `$ion_1_0 {Item:{...}}` lines in ION)
///     AWSDynamoDB/<export id>/_started                   empty: the export has begun
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
enum ExportLayout {
    static let version = "2020-06-30"

    /// The S3 key (path under the bucket) of an export's folder.
    static func exportKey(prefix: String?, id: String) -> String {
        var key = ""
        if let prefix, !prefix.isEmpty { key = prefix.hasSuffix("/") ? prefix : prefix + "/" }
        return key + "AWSDynamoDB/" + id
    }

    struct ManifestSummary: Encodable {
        var version = ExportLayout.version
        var exportArn: String
        var startTime: String
        var endTime: String
        var tableArn: String
        var tableId: String
        var exportTime: String
        var s3Bucket: String
        var s3Prefix: String?
        var s3SseAlgorithm = "AES256"
        var s3SseKmsKeyId: String?
        var manifestFilesS3Key: String
        /// The MD5 of manifest-files.json (base64), so a reader can check it before trusting it.
        var manifestFilesMd5: String
        var billedSizeBytes: Int64
        var itemCount: Int64
        var outputFormat: String
        var exportType: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(version, forKey: .version)
            try container.encode(exportArn, forKey: .exportArn)
            try container.encode(startTime, forKey: .startTime)
            try container.encode(endTime, forKey: .endTime)
            try container.encode(tableArn, forKey: .tableArn)
            try container.encode(tableId, forKey: .tableId)
            try container.encode(exportTime, forKey: .exportTime)
            try container.encode(s3Bucket, forKey: .s3Bucket)
            try container.encode(s3Prefix, forKey: .s3Prefix)
            try container.encode(s3SseAlgorithm, forKey: .s3SseAlgorithm)
            try container.encode(s3SseKmsKeyId, forKey: .s3SseKmsKeyId)
            try container.encode(manifestFilesS3Key, forKey: .manifestFilesS3Key)
            try container.encode(manifestFilesMd5, forKey: .manifestFilesMd5)
            try container.encode(billedSizeBytes, forKey: .billedSizeBytes)
            try container.encode(itemCount, forKey: .itemCount)
            try container.encode(outputFormat, forKey: .outputFormat)
            try container.encode(exportType, forKey: .exportType)
        }

        enum CodingKeys: String, CodingKey {
            case version, exportArn, startTime, endTime, tableArn, tableId, exportTime, s3Bucket, s3Prefix
            case s3SseAlgorithm, s3SseKmsKeyId, manifestFilesS3Key, manifestFilesMd5, billedSizeBytes, itemCount, outputFormat, exportType
        }
    }

    /// One line of manifest-files.json: `{"itemCount":..,"md5":..,"etag":..,"dataFileS3Key":..}`.
    struct ManifestFile: Encodable {
        var itemCount: Int64
        /// The data file's MD5, base64 (S3's Content-MD5 form).
        var md5: String
        /// The data file's S3 ETag: its MD5 in hex, as for an object uploaded in one part.
        var etag: String
        var dataFileS3Key: String

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(itemCount, forKey: .itemCount)
            try container.encode(md5, forKey: .md5)
            try container.encode(etag, forKey: .etag)
            try container.encode(dataFileS3Key, forKey: .dataFileS3Key)
        }

        enum CodingKeys: String, CodingKey {
            case itemCount, md5, etag, dataFileS3Key
        }
    }

    /// Writes `bytes` to `path` and its MD5 (hex) to the `.checksum` file beside it
    /// (`manifest-files.json` -> `manifest-files.checksum`); returns the digest.
    @discardableResult
    static func writeWithChecksum(_ bytes: [UInt8], to path: String) throws -> FileDigest {
        let digest = FileDigest(of: bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let checksumPath = (path.hasSuffix(".json") ? String(path.dropLast(".json".count)) : path) + ".checksum"
        try Data(digest.hex.utf8).write(to: URL(fileURLWithPath: checksumPath))
        return digest
    }

    /// `2020-11-04T07:28:34.028Z`, as the manifests write times.
    static func isoTime(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded(.down))
        let days = millis >= 0 ? millis / 86_400_000 : (millis - 86_399_999) / 86_400_000
        let inDay = millis - days * 86_400_000
        let (year, month, day) = CivilDate.date(days: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let hour = inDay / 3_600_000
        let minute = inDay / 60_000 % 60
        let second = inDay / 1000 % 60
        return "\(pad(Int64(year), 4))-\(pad(Int64(month), 2))-\(pad(Int64(day), 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(inDay % 1000, 3))Z"
    }

    static func json(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}
