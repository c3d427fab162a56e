import KVStore

/// A mapping request that Lambda would refuse, with its error type and HTTP status.
struct MappingError: Error, Sendable, Equatable {
    var type: String
    var status: Int
    var message: String

    static func invalid(_ message: String) -> MappingError {
        MappingError(type: "InvalidParameterValueException", status: 400, message: message)
    }

    static let notFound = MappingError(
        type: "ResourceNotFoundException", status: 404, message: "The resource you requested does not exist.")
}

/// The fields of CreateEventSourceMapping / UpdateEventSourceMapping (and of the triggers
/// file's entries) read onto an `EventSourceMapping`, with Lambda's limits for DynamoDB streams.
/// See https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
enum MappingRequest {
    /// The fields UpdateEventSourceMapping may change.
    static let updatable: Set<String> = [
        "FunctionName", "Enabled", "BatchSize", "FilterCriteria", "MaximumBatchingWindowInSeconds", "DestinationConfig",
        "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "MaximumRetryAttempts", "ParallelizationFactor",
        "TumblingWindowInSeconds", "FunctionResponseTypes", "UUID",
    ]

    /// Applies the settings present in `fields` to `mapping`.
    static func apply(_ fields: [String: JSONValue], to mapping: inout EventSourceMapping) throws(MappingError) {
        if let value = fields["FunctionName"] {
            guard case .string(let name) = value, !name.isEmpty else { throw .invalid("FunctionName must be a non-empty string.") }
            mapping.functionName = name
        }
        if let value = fields["Enabled"] { mapping.enabled = try bool(value, "Enabled") }
        if let value = fields["BatchSize"] {
            mapping.batchSize = try integer(value, "BatchSize", in: EventSourceMapping.batchSizeRange)
        }
        if let value = fields["MaximumBatchingWindowInSeconds"] {
            mapping.maximumBatchingWindowInSeconds = try integer(
                value, "MaximumBatchingWindowInSeconds", in: EventSourceMapping.batchingWindowRange)
        }
        if let value = fields["MaximumRetryAttempts"] {
            mapping.maximumRetryAttempts = try integer(value, "MaximumRetryAttempts", in: EventSourceMapping.retryAttemptsRange)
        }
        if let value = fields["MaximumRecordAgeInSeconds"] {
            let age = try integer(value, "MaximumRecordAgeInSeconds", in: EventSourceMapping.recordAgeRange)
            // Lambda: -1 (infinite) or 60 to 604,800 seconds.
            guard age == -1 || age >= 60 else {
                throw .invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.")
            }
            mapping.maximumRecordAgeInSeconds = age
        }
        if let value = fields["BisectBatchOnFunctionError"] {
            mapping.bisectBatchOnFunctionError = try bool(value, "BisectBatchOnFunctionError")
        }
        if let value = fields["ParallelizationFactor"] {
            mapping.parallelizationFactor = try integer(value, "ParallelizationFactor", in: EventSourceMapping.parallelizationRange)
        }
        if let value = fields["TumblingWindowInSeconds"] {
            mapping.tumblingWindowInSeconds = try integer(value, "TumblingWindowInSeconds", in: EventSourceMapping.tumblingWindowRange)
        }
        if let value = fields["FunctionResponseTypes"] {
            guard case .array(let types) = value else { throw .invalid("FunctionResponseTypes must be a list.") }
            var report = false
            for type in types {
                guard type == .string("ReportBatchItemFailures") else {
                    throw .invalid("FunctionResponseTypes may only contain ReportBatchItemFailures.")
                }
                report = true
            }
            mapping.reportBatchItemFailures = report
        }
        if let value = fields["DestinationConfig"] {
            mapping.onFailureDestination = try onFailure(value)
        }
        if let value = fields["FilterCriteria"] {
            mapping.filterPatterns = try filterPatterns(value)
        }
    }

    static func onFailure(_ value: JSONValue) throws(MappingError) -> String? {
        guard case .object(let config) = value else { throw .invalid("DestinationConfig must be an object.") }
        guard let onFailure = config["OnFailure"], onFailure != .null else { return nil }
        guard case .object(let fields) = onFailure else { throw .invalid("DestinationConfig.OnFailure must be an object.") }
        guard let destination = fields["Destination"], destination != .null else { return nil }
        guard case .string(let text) = destination, !text.isEmpty else {
            throw .invalid("DestinationConfig.OnFailure.Destination must be a file path or an http(s) URL.")
        }
        return text
    }

    static func filterPatterns(_ value: JSONValue) throws(MappingError) -> [String] {
        guard case .object(let criteria) = value else { throw .invalid("FilterCriteria must be an object.") }
        guard let filters = criteria["Filters"], filters != .null else { return [] }
        guard case .array(let list) = filters, list.count <= 5 else {
            throw .invalid("FilterCriteria.Filters must be a list of at most 5 filters.")
        }
        var patterns: [String] = []
        for filter in list {
            guard case .object(let fields) = filter, case .string(let pattern) = fields["Pattern"] else {
                throw .invalid("Each filter needs a Pattern string.")
            }
            if case .failure = EventFilter.parse([pattern]) { throw .invalid("Invalid filter pattern definition.") }
            patterns.append(pattern)
        }
        return patterns
    }

    static func bool(_ value: JSONValue, _ name: String) throws(MappingError) -> Bool {
        guard case .bool(let flag) = value else { throw .invalid("\(name) must be a boolean.") }
        return flag
    }

    static func integer(_ value: JSONValue, _ name: String, in range: ClosedRange<Int>) throws(MappingError) -> Int {
        guard case .number(let text) = value, let number = Int(text), range.contains(number) else {
            throw .invalid("\(name) must be an integer between \(range.lowerBound) and \(range.upperBound).")
        }
        return number
    }

    /// The stream a request names: `EventSourceArn` (a DynamoDB stream ARN), or `TableName`
    /// (the table's latest stream). nil when it names a table that has no stream yet.
    static func stream(
        _ fields: [String: JSONValue], engine: KVEngine, region: String
    ) throws(MappingError) -> (arn: String, table: String, label: String)? {
        if case .string(let arn) = fields["EventSourceArn"] {
            guard let (table, label) = StreamWire.parse(arn) else {
                throw .invalid("EventSourceArn must be the ARN of a DynamoDB stream.")
            }
            return (arn, table, label)
        }
        if case .string(let table) = fields["TableName"] {
            guard let label = engine.latestStreamLabel(tableName: table),
                let stream = engine.listStreams(tableName: table).last?.stream
            else { return nil }
            return (StreamWire.arn(table: table, stream: stream, region: region), table, label)
        }
        throw .invalid("EventSourceArn is required.")
    }

    static func startingPosition(_ fields: [String: JSONValue]) throws(MappingError) -> EventSourceMapping.StartingPosition {
        guard case .string(let text) = fields["StartingPosition"] else {
            throw .invalid("StartingPosition is required for DynamoDB stream event sources.")
        }
        guard let position = EventSourceMapping.StartingPosition(rawValue: text) else {
            throw .invalid("StartingPosition must be TRIM_HORIZON or LATEST for DynamoDB streams.")
        }
        return position
    }
}
