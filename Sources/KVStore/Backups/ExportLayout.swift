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

    struct ManifestSummary {
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

        /// In the order of the documented example.
        var fields: [(String, (any Encodable & Sendable)?)] {
            [
                ("version", version), ("exportArn", exportArn), ("startTime", startTime), ("endTime", endTime),
                ("tableArn", tableArn), ("tableId", tableId), ("exportTime", exportTime), ("s3Bucket", s3Bucket),
                ("s3Prefix", s3Prefix), ("s3SseAlgorithm", s3SseAlgorithm), ("s3SseKmsKeyId", s3SseKmsKeyId),
                ("manifestFilesS3Key", manifestFilesS3Key), ("manifestFilesMd5", manifestFilesMd5),
                ("billedSizeBytes", billedSizeBytes), ("itemCount", itemCount), ("outputFormat", outputFormat),
                ("exportType", exportType),
            ]
        }
    }

    /// One line of manifest-files.json: `{"itemCount":..,"md5":..,"etag":..,"dataFileS3Key":..}`.
    struct ManifestFile {
        var itemCount: Int64
        /// The data file's MD5, base64 (S3's Content-MD5 form).
        var md5: String
        /// The data file's S3 ETag: its MD5 in hex, as for an object uploaded in one part.
        var etag: String
        var dataFileS3Key: String

        var fields: [(String, (any Encodable & Sendable)?)] {
            [("itemCount", itemCount), ("md5", md5), ("etag", etag), ("dataFileS3Key", dataFileS3Key)]
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

    /// A JSON object of `fields` in their order (JSONEncoder would not keep it); nil is `null`.
    static func json(_ fields: [(String, (any Encodable & Sendable)?)]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (position, (name, value)) in fields.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(try encoder.encode(name)) + [UInt8(ascii: ":")]
            if let value { out += Array(try encoder.encode(value)) } else { out += Array("null".utf8) }
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
