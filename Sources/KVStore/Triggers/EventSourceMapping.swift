/// One trigger: a table's change stream delivered in batches to a target, with the settings of
/// Lambda's CreateEventSourceMapping.
/// See https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
///
/// Stored as JSON in `kv_trigger_mappings` (see `TriggerStore`); new fields must be optional or
/// have defaults so older rows still decode.
public struct EventSourceMapping: Sendable, Codable, Equatable {
    public enum StartingPosition: String, Sendable, Codable, CaseIterable {
        case trimHorizon = "TRIM_HORIZON"
        case latest = "LATEST"
    }

    /// Where a mapping came from: the triggers file (replaced on every reload) or the API.
    public enum Origin: String, Sendable, Codable {
        case file
        case api
    }

    public var uuid: String
    /// The stream's ARN as the client named it (its region is the events' `awsRegion`).
    public var eventSourceArn: String
    public var tableName: String
    public var streamLabel: String
    /// A function name or ARN (Lambda Invoke API), or an `http://` / `https://` URL (plain POST).
    public var functionName: String
    /// A local command run per batch with the event on stdin; only from the triggers file.
    public var command: [String]?
    public var startingPosition: StartingPosition
    public var batchSize: Int
    public var maximumBatchingWindowInSeconds: Int
    /// -1: retry until the records expire.
    public var maximumRetryAttempts: Int
    /// -1: records never expire.
    public var maximumRecordAgeInSeconds: Int
    public var bisectBatchOnFunctionError: Bool
    /// `FunctionResponseTypes: ["ReportBatchItemFailures"]`.
    public var reportBatchItemFailures: Bool
    /// `DestinationConfig.OnFailure.Destination`: a file path (JSON lines) or an http(s) URL.
    public var onFailureDestination: String?
    /// `FilterCriteria.Filters[].Pattern`, each a JSON text.
    public var filterPatterns: [String]
    public var tumblingWindowInSeconds: Int
    public var parallelizationFactor: Int
    public var enabled: Bool
    public var origin: Origin
    /// Seconds since 1970.
    public var lastModified: Double

    public init(
        uuid: String, eventSourceArn: String, tableName: String, streamLabel: String, functionName: String,
        command: [String]? = nil, startingPosition: StartingPosition, batchSize: Int = Self.defaultBatchSize,
        maximumBatchingWindowInSeconds: Int = 0, maximumRetryAttempts: Int = -1, maximumRecordAgeInSeconds: Int = -1,
        bisectBatchOnFunctionError: Bool = false, reportBatchItemFailures: Bool = false,
        onFailureDestination: String? = nil, filterPatterns: [String] = [], tumblingWindowInSeconds: Int = 0,
        parallelizationFactor: Int = 1, enabled: Bool = true, origin: Origin = .api, lastModified: Double
    ) {
        self.uuid = uuid
        self.eventSourceArn = eventSourceArn
        self.tableName = tableName
        self.streamLabel = streamLabel
        self.functionName = functionName
        self.command = command
        self.startingPosition = startingPosition
        self.batchSize = batchSize
        self.maximumBatchingWindowInSeconds = maximumBatchingWindowInSeconds
        self.maximumRetryAttempts = maximumRetryAttempts
        self.maximumRecordAgeInSeconds = maximumRecordAgeInSeconds
        self.bisectBatchOnFunctionError = bisectBatchOnFunctionError
        self.reportBatchItemFailures = reportBatchItemFailures
        self.onFailureDestination = onFailureDestination
        self.filterPatterns = filterPatterns
        self.tumblingWindowInSeconds = tumblingWindowInSeconds
        self.parallelizationFactor = parallelizationFactor
        self.enabled = enabled
        self.origin = origin
        self.lastModified = lastModified
    }

    /// Lambda's default BatchSize for DynamoDB streams.
    public static let defaultBatchSize = 100
    /// Lambda's limits for DynamoDB stream mappings (CreateEventSourceMapping).
    public static let batchSizeRange = 1...10_000
    public static let batchingWindowRange = 0...300
    public static let retryAttemptsRange = -1...10_000
    public static let recordAgeRange = -1...604_800
    public static let tumblingWindowRange = 0...900
    public static let parallelizationRange = 1...10

    /// The delivery rules of this mapping.
    public var retryPolicy: RetryPolicy {
        RetryPolicy(
            maximumRetryAttempts: maximumRetryAttempts, maximumRecordAge: Double(maximumRecordAgeInSeconds),
            bisectOnError: bisectBatchOnFunctionError)
    }
}
