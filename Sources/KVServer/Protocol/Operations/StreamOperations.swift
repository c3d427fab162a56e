import KVStore

/// The DynamoDB Streams API (`DynamoDBStreams_20120810.*`).
/// See https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/Welcome.html
enum StreamOperations {
    static func streamARN(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) -> String? {
        let arn = try request.string("StreamArn")
        violations.notNull(arn, at: "streamArn")
        violations.length(arn, min: 37, max: 1024, at: "streamArn")
        return arn
    }

    static func resolve(_ arn: String) throws(KVError) -> (table: String, label: String) {
        guard let parsed = StreamWire.parse(arn) else {
            throw KVError.validation("Invalid StreamArn")
        }
        return parsed
    }

    static func listStreams(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let tableName = try TableName.read(request, minLength: 3, into: &violations, required: false)
        let limit = try request.integer("Limit")
        violations.range(limit, min: 1, max: 100, at: "limit")
        let start = try request.string("ExclusiveStartStreamArn")
        violations.length(start, min: 37, max: 1024, at: "exclusiveStartStreamArn")
        try violations.check()
        // DynamoDB refuses a start that is no stream ARN (ValidationException, checked against
        // DynamoDB by scylladb test/alternator/test_streams.py::test_list_streams_with_nonexistent_last_stream).
        if let start, StreamWire.parse(start) == nil {
            throw KVError.validation("Invalid StreamArn")
        }
        var streams = engine.listStreams(tableName: tableName).map { summary in
            (arn: StreamWire.arn(table: summary.tableName, stream: summary.stream, region: context.region), summary: summary)
        }
        if let start, let (startTable, startLabel) = StreamWire.parse(start) {
            // Streams are listed by table name, then label (creation time); a stream that is
            // gone (or never was) resumes after where it would be.
            if let position = streams.firstIndex(where: { $0.arn == start }) {
                streams.removeFirst(position + 1)
            } else {
                streams.removeAll { ($0.summary.tableName, $0.summary.stream.label) <= (startTable, startLabel) }
            }
        }
        let page = streams.prefix(Int(limit ?? 100))
        var response: [String: JSONValue] = [
            "Streams": .array(page.map { entry in
                .object([
                    "StreamArn": .string(entry.arn),
                    "TableName": .string(entry.summary.tableName),
                    "StreamLabel": .string(entry.summary.stream.label),
                ])
            })
        ]
        if streams.count > page.count, let last = page.last {
            response["LastEvaluatedStreamArn"] = .string(last.arn)
        }
        return .object(response)
    }

    static func describeStream(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let arn = try streamARN(request, into: &violations)
        let limit = try request.integer("Limit")
        violations.range(limit, min: 1, max: 100, at: "limit")
        let start = try request.string("ExclusiveStartShardId")
        violations.length(start, min: 28, max: 65, at: "exclusiveStartShardId")
        // ShardFilter {Type: CHILD_SHARDS, ShardId}: only the shards whose parent is ShardId.
        // See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html
        var childrenOf: String?
        if let filter = try request.object("ShardFilter") {
            let type = try filter.string("Type")
            violations.notNull(type, at: "shardFilter.type")
            violations.oneOf(type, ["CHILD_SHARDS"], at: "shardFilter.type")
            childrenOf = try filter.string("ShardId")
            violations.notNull(childrenOf, at: "shardFilter.shardId")
            violations.length(childrenOf, min: 28, max: 65, at: "shardFilter.shardId")
        }
        try violations.check()
        let (table, label) = try resolve(arn ?? "")
        var description = try await engine.describeStream(
            tableName: table, label: label, arn: arn ?? "", exclusiveStartShardID: childrenOf == nil ? start : nil,
            limit: childrenOf == nil ? Int(limit ?? 100) : Int.max)
        if let parent = childrenOf {
            // A shard has at most a couple of children: one page, no LastEvaluatedShardId.
            description.shards = description.shards.filter { $0.parentShardID == parent }
            description.lastEvaluatedShardID = nil
        }
        var fields: [String: JSONValue] = [
            "StreamArn": .string(arn ?? ""),
            "StreamLabel": .string(description.stream.label),
            "StreamStatus": .string(description.stream.enabled ? "ENABLED" : "DISABLED"),
            "StreamViewType": .string(description.stream.viewType.rawValue),
            "CreationRequestDateTime": .number(TableDescriptionWire.timestamp(description.stream.created)),
            "TableName": .string(description.tableName),
            "KeySchema": TableDescriptionWire.keySchema(description.keySchema),
            "Shards": .array(description.shards.map { shard in
                var range: [String: JSONValue] = ["StartingSequenceNumber": .string(shard.startingSequenceNumber)]
                if let end = shard.endingSequenceNumber { range["EndingSequenceNumber"] = .string(end) }
                var entry: [String: JSONValue] = ["ShardId": .string(shard.shardID), "SequenceNumberRange": .object(range)]
                if let parent = shard.parentShardID { entry["ParentShardId"] = .string(parent) }
                return .object(entry)
            }),
        ]
        if let last = description.lastEvaluatedShardID {
            fields["LastEvaluatedShardId"] = .string(last)
        }
        return .object(["StreamDescription": .object(fields)])
    }

    static func getShardIterator(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let arn = try streamARN(request, into: &violations)
        let shardID = try request.string("ShardId")
        violations.notNull(shardID, at: "shardId")
        violations.length(shardID, min: 28, max: 65, at: "shardId")
        let type = try request.string("ShardIteratorType")
        violations.notNull(type, at: "shardIteratorType")
        violations.oneOf(type, ShardIteratorType.allCases.map(\.rawValue), at: "shardIteratorType")
        let sequence = try request.string("SequenceNumber")
        violations.length(sequence, min: 21, max: 40, at: "sequenceNumber")
        try violations.check()
        // TRIM_HORIZON and LATEST take no SequenceNumber: DynamoDB answers ValidationException
        // (scylladb test/alternator/test_streams.py::test_get_shard_iterator, run against
        // DynamoDB). The text is ours; DynamoDB's is not recorded anywhere we could find.
        if let sequence, let type, type == ShardIteratorType.trimHorizon.rawValue || type == ShardIteratorType.latest.rawValue {
            throw KVError.validation("SequenceNumber must not be given for a \(type) shard iterator: \(sequence)")
        }
        let (table, label) = try resolve(arn ?? "")
        let iterator = try await engine.shardIterator(
            tableName: table, label: label, arn: arn ?? "", shardID: shardID ?? "",
            type: type.flatMap(ShardIteratorType.init(rawValue:)) ?? .trimHorizon, sequenceNumber: sequence)
        return .object(["ShardIterator": .string(iterator)])
    }

    static func getRecords(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let iterator = try request.string("ShardIterator")
        violations.notNull(iterator, at: "shardIterator")
        violations.length(iterator, min: 1, max: 2048, at: "shardIterator")
        let limit = try request.integer("Limit")
        violations.range(limit, min: 1, max: 1000, at: "limit")
        try violations.check()
        let page = try await engine.records(iterator: iterator ?? "", limit: Int(limit ?? 1000))
        if let usage = context.usage {
            usage.returned(items: page.records.count)
            usage.readStream(table: page.tableName, label: page.streamLabel, behindNewestMillis: page.behindNewestMillis)
        }
        var response: [String: JSONValue] = [
            "Records": .array(page.records.map { StreamWire.record($0, region: context.region) })
        ]
        if let next = page.nextIterator {
            response["NextShardIterator"] = .string(next)
        }
        return .object(response)
    }
}
