/// An export (ExportTableToPointInTime) as DescribeExport and ListExports show it. Stored as JSON
/// in `<export dir>/.kvexports/<id>.json`: fields may be added (optional), never renamed.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportDescription.html
public struct ExportRecord: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        case inProgress = "IN_PROGRESS"
        case completed = "COMPLETED"
        case failed = "FAILED"
    }

    public enum Kind: String, Sendable, Codable {
        case full = "FULL_EXPORT"
        case incremental = "INCREMENTAL_EXPORT"
    }

    public var id: String
    public var tableName: String
    public var tableID: String
    public var status: Status
    public var kind: Kind
    /// `ExportFormat`: DYNAMODB_JSON or ION.
    public var format: String
    public var bucket: String
    public var prefix: String?
    public var startTime: Double
    public var endTime: Double?
    public var exportTime: Double
    public var clientToken: String?
    public var itemCount: Int64
    public var billedSizeBytes: Int64
    /// The S3 key of `manifest-summary.json` (`ExportManifest`).
    public var manifestKey: String?
    public var failureCode: String?
    public var failureMessage: String?
    /// INCREMENTAL_EXPORT's window and view type.
    public var incremental: IncrementalExport?
}

/// An import (ImportTable) as DescribeImport and ListImports show it. Stored like exports, in
/// `<export dir>/.kvimports/<id>.json`.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ImportTableDescription.html
public struct ImportRecord: Sendable, Codable, Hashable {
    public enum Status: String, Sendable, Codable {
        case inProgress = "IN_PROGRESS"
        case completed = "COMPLETED"
        case failed = "FAILED"
    }

    public var id: String
    public var tableName: String
    public var tableID: String
    public var status: Status
    public var bucket: String
    public var keyPrefix: String?
    public var inputFormat: String
    public var compression: String
    public var clientToken: String?
    public var startTime: Double
    public var endTime: Double?
    public var processedSizeBytes: Int64
    public var processedItemCount: Int64
    public var importedItemCount: Int64
    public var errorCount: Int64
    public var failureCode: String?
    public var failureMessage: String?
}
