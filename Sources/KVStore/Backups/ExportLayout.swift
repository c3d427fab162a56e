#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// DynamoDB's S3 export layout, written into `<export dir>/<S3Bucket>/<S3Prefix>/`:
///
///     AWSDynamoDB/<export id>/manifest-summary.json   one JSON object: what, when, how many
///     AWSDynamoDB/<export id>/manifest-files.json     one JSON line per data file
///     AWSDynamoDB/<export id>/data/<name>.json.gz     one `{"Item": {...DynamoDB JSON...}}` per line
///     AWSDynamoDB/<export id>/_started                empty: the export has begun
///
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
/// (the `.checksum` files DynamoDB writes beside the manifests are not written).
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
            try container.encode(billedSizeBytes, forKey: .billedSizeBytes)
            try container.encode(itemCount, forKey: .itemCount)
            try container.encode(outputFormat, forKey: .outputFormat)
            try container.encode(exportType, forKey: .exportType)
        }

        enum CodingKeys: String, CodingKey {
            case version, exportArn, startTime, endTime, tableArn, tableId, exportTime, s3Bucket, s3Prefix
            case s3SseAlgorithm, s3SseKmsKeyId, manifestFilesS3Key, billedSizeBytes, itemCount, outputFormat, exportType
        }
    }

    struct ManifestFile: Encodable {
        var itemCount: Int64
        var dataFileS3Key: String
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
