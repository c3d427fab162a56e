import KVStore

/// The event Lambda hands a function for a DynamoDB stream batch: `{"Records": [...]}`, each
/// record as GetRecords shows it plus `eventSourceARN`.
/// See https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html (example event) and
/// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.html
enum TriggerEvent {
    /// One record of the event (`eventID`, `eventName`, `eventVersion` "1.1", `eventSource`
    /// "aws:dynamodb", `awsRegion`, `dynamodb`, `eventSourceARN`; `userIdentity` on TTL deletions).
    static func record(_ record: StreamRecord, mapping: EventSourceMapping) -> JSONValue {
        guard case .object(var fields) = StreamWire.record(record, region: region(of: mapping)) else {
            return .null
        }
        fields["eventSourceARN"] = .string(mapping.eventSourceArn)
        // Lambda's event spells the TTL identity in lower camel case (the Streams API does not).
        if fields["userIdentity"] != nil {
            fields["userIdentity"] = .object(["type": .string("Service"), "principalId": .string("dynamodb.amazonaws.com")])
        }
        return .object(fields)
    }

    static func body(_ records: [JSONValue]) -> [UInt8] {
        JSONWriter.encode(.object(["Records": .array(records)]))
    }

    /// The event of a tumbling-window call: the records plus `window`, `state`, `shardId`,
    /// `eventSourceARN`, `isFinalInvokeForWindow` and `isWindowTerminatedEarly`.
    /// See https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html
    static func body(_ records: [JSONValue], window: TumblingWindow, batch: TriggerBatch) -> [UInt8] {
        let state = window.state.flatMap { try? JSONParser.parse($0) } ?? .object([:])
        return JSONWriter.encode(
            .object([
                "Records": .array(records),
                "window": .object([
                    "start": .string(FailureRecord.iso8601(window.start, fraction: false)),
                    "end": .string(FailureRecord.iso8601(window.end, fraction: false)),
                ]),
                "state": state,
                "shardId": .string(batch.shardID),
                "eventSourceARN": .string(batch.mapping.eventSourceArn),
                "isFinalInvokeForWindow": .bool(window.isFinal),
                "isWindowTerminatedEarly": .bool(false),
            ]))
    }

    /// The `state` object of a tumbling-window answer, as JSON bytes.
    static func state(ofResponse body: [UInt8]) -> [UInt8]? {
        guard !body.isEmpty, let value = try? JSONParser.parse(body), case .object(let fields) = value,
            let state = fields["state"], case .object = state
        else { return nil }
        return JSONWriter.encode(state)
    }

    /// The region named by the stream ARN (`arn:aws:dynamodb:REGION:...`).
    static func region(of mapping: EventSourceMapping) -> String {
        let parts = mapping.eventSourceArn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count > 3 && !parts[3].isEmpty ? String(parts[3]) : "us-east-1"
    }

    /// Reads a `ReportBatchItemFailures` answer. An empty body, a null or empty list means
    /// success; an entry without a usable `itemIdentifier` fails the whole batch; otherwise the
    /// lowest sequence number named is where the retry starts.
    /// See https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
    static func outcome(ofPartialResponse body: [UInt8]) -> InvocationOutcome {
        guard !body.isEmpty, let value = try? JSONParser.parse(body), case .object(let fields) = value else {
            return .success
        }
        guard let failures = fields["batchItemFailures"], failures != .null else { return .success }
        guard case .array(let entries) = failures else { return .failure("invalid batchItemFailures in the function's answer") }
        var lowest: Int64?
        for entry in entries {
            guard case .object(let item) = entry, case .string(let identifier) = item["itemIdentifier"],
                let sequence = TriggerSequence.parse(identifier)
            else {
                return .failure("a batchItemFailures entry without a valid itemIdentifier")
            }
            lowest = min(lowest ?? sequence, sequence)
        }
        guard let lowest else { return .success }
        return .partialFailure(firstFailed: lowest)
    }
}
