/// A stream as ListStreams names it.
public struct StreamSummary: Sendable {
    public var tableName: String
    public var stream: StreamDefinition
}

/// One shard as DescribeStream shows it.
public struct ShardDescription: Sendable {
    public var shardID: String
    public var parentShardID: String?
    public var startingSequenceNumber: String
    public var endingSequenceNumber: String?
}

public struct StreamDescription: Sendable {
    public var tableName: String
    public var keySchema: KeySchema
    public var stream: StreamDefinition
    public var shards: [ShardDescription]
    public var lastEvaluatedShardID: String?
}

/// One change record as GetRecords returns it.
public struct StreamRecord: Sendable {
    public var sequenceNumber: String
    public var eventName: String
    public var createdSeconds: Double
    public var keys: Item
    public var oldImage: Item?
    public var newImage: Item?
    public var sizeBytes: Int
    public var viewType: StreamViewType
    /// True for deletions made by TTL (`userIdentity` Service / dynamodb.amazonaws.com).
    public var byService: Bool
}

public struct RecordsPage: Sendable {
    public var records: [StreamRecord]
    /// nil once a closed shard has been read to its end.
    public var nextIterator: String?
    /// The stream's table and label, for the server's per-stream metrics.
    public var tableName = ""
    public var streamLabel = ""
    /// Milliseconds between the last record returned and the newest record of the shard: how
    /// far this reader is behind (0 when it has read everything; the metrics' iterator age).
    public var behindNewestMillis: Int64 = 0
}

public enum ShardIteratorType: String, Sendable, CaseIterable {
    case trimHorizon = "TRIM_HORIZON"
    case latest = "LATEST"
    case atSequenceNumber = "AT_SEQUENCE_NUMBER"
    case afterSequenceNumber = "AFTER_SEQUENCE_NUMBER"
}

/// The DynamoDB Streams API over the stored shards and records (`StreamStorage`).
/// See https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/Welcome.html
extension KVEngine {
    static let maxRecordsPerCall = 1000
    static let maxRecordBytesPerCall = 1_048_576

    /// Streams of every table (or one), ordered by table name then creation.
    public func listStreams(tableName: String?) -> [StreamSummary] {
        let names = tableName.map { [$0] } ?? catalog.allNames().sorted()
        return names.flatMap { name -> [StreamSummary] in
            guard let table = catalog.table(named: name) else { return [] }
            return table.streams.map { StreamSummary(tableName: name, stream: $0) }
        }
    }

    /// The stream of `tableName` with `label`, or DynamoDB's ResourceNotFoundException.
    func stream(tableName: String, label: String, arn: String) throws(KVError) -> (TableDefinition, StreamDefinition) {
        guard let table = catalog.table(named: tableName), let stream = table.streams.first(where: { $0.label == label }) else {
            throw .resourceNotFound("Requested resource not found: Stream: \(arn) not found")
        }
        return (table, stream)
    }

    public func describeStream(
        tableName: String, label: String, arn: String, exclusiveStartShardID: String?, limit: Int
    ) async throws -> StreamDescription {
        let (table, stream) = try stream(tableName: tableName, label: label, arn: arn)
        // A start that names no shard of ours lists nothing after it (DynamoDB answers an empty
        // page, as scylladb's test_describe_stream_with_nonexistent_last_shard records).
        let startAfter: Int64 = exclusiveStartShardID.map { StreamCodec.shardNumber(from: $0) ?? Int64.max } ?? 0
        let shards = try await storage.read { connection in
            let all = try connection.streamShards(streamID: stream.id, after: 0)
            var openedByShard: [Int64: Int64] = [:]
            for shard in all { openedByShard[shard.shard] = shard.openedMillis }
            return all.filter { $0.shard > startAfter }.map { row in
                ShardDescription(
                    shardID: StreamCodec.shardID(shard: row.shard, openedMillis: row.openedMillis),
                    parentShardID: row.parent.flatMap { parent in
                        openedByShard[parent].map { StreamCodec.shardID(shard: parent, openedMillis: $0) }
                    },
                    startingSequenceNumber: StreamCodec.sequenceNumber(row.startSequence),
                    endingSequenceNumber: row.endSequence.map(StreamCodec.sequenceNumber))
            }
        }
        let page = Array(shards.prefix(max(limit, 1)))
        let more = shards.count > page.count
        return StreamDescription(
            tableName: table.name, keySchema: table.keySchema, stream: stream, shards: page,
            lastEvaluatedShardID: more ? page.last?.shardID : nil)
    }

    public func shardIterator(
        tableName: String, label: String, arn: String, shardID: String, type: ShardIteratorType, sequenceNumber: String?
    ) async throws -> String {
        let (_, stream) = try stream(tableName: tableName, label: label, arn: arn)
        guard let shard = StreamCodec.shardNumber(from: shardID) else {
            throw KVError.resourceNotFound("Requested resource not found: Shard does not exist")
        }
        var requested: Int64?
        if type == .atSequenceNumber || type == .afterSequenceNumber {
            guard let text = sequenceNumber, let value = StreamCodec.sequence(from: text) else {
                throw KVError.validation("Invalid SequenceNumber for \(type.rawValue) shard iterator: \(sequenceNumber ?? "null")")
            }
            requested = value
        }
        let issued = Int64((now() * 1000).rounded())
        let streamID = stream.id
        let requestedSequence = requested
        return try await storage.read { connection in
            guard let row = try connection.streamShard(streamID: streamID, shard: shard) else {
                throw KVError.resourceNotFound("Requested resource not found: Shard does not exist")
            }
            let start = row.startSequence
            let end = row.endSequence
            let trimmed = row.trimmedSequence
            let after: Int64
            switch type {
            case .trimHorizon:
                after = max(trimmed, start - 1)
            case .latest:
                if let end {
                    after = end
                } else {
                    after = max(try connection.lastStreamSequence(streamID: streamID, shard: shard), start - 1)
                }
            case .atSequenceNumber, .afterSequenceNumber:
                let value = requestedSequence ?? 0
                if value < start || (end.map { value > $0 } ?? false) {
                    throw KVError.validation(
                        "Invalid SequenceNumber \(StreamCodec.sequenceNumber(value)) for shard \(shardID): it is not in the shard's range")
                }
                if value <= trimmed {
                    throw KVError(.trimmedDataAccess, "The operation attempted to read past the oldest stream record in a shard.")
                }
                after = type == .atSequenceNumber ? value - 1 : value
            }
            return ShardIterator(streamID: streamID, shard: shard, afterSequence: after, issuedMillis: issued).encoded
        }
    }

    public func records(iterator encoded: String, limit: Int) async throws -> RecordsPage {
        guard let iterator = ShardIterator(encoded: encoded) else {
            throw KVError.validation("Invalid ShardIterator")
        }
        let nowMillis = Int64((now() * 1000).rounded())
        let lifetime = Int64(configuration.streams.iteratorLifetime * 1000)
        if nowMillis - iterator.issuedMillis > lifetime {
            throw KVError(
                .expiredIterator,
                "Iterator expired. The iterator was created at time \(iterator.issuedMillis) while right now it is \(nowMillis) which is further in the future than the tolerated delay of \(lifetime) milliseconds."
            )
        }
        guard let (tableName, stream) = catalog.allNames().lazy.compactMap({ self.catalog.table(named: $0) })
            .flatMap({ table in table.streams.map { (table.name, $0) } }).first(where: { $0.1.id == iterator.streamID })
        else {
            throw KVError.resourceNotFound("Requested resource not found: Stream does not exist")
        }
        let limit = min(max(limit, 1), Self.maxRecordsPerCall)
        return try await storage.read { connection in
            guard let shard = try connection.streamShard(streamID: iterator.streamID, shard: iterator.shard) else {
                throw KVError.resourceNotFound("Requested resource not found: Shard does not exist")
            }
            let end = shard.endSequence
            if iterator.afterSequence < shard.trimmedSequence {
                throw KVError(.trimmedDataAccess, "The operation attempted to read past the oldest stream record in a shard.")
            }
            let stored = try connection.streamRecords(
                streamID: iterator.streamID, shard: iterator.shard, after: iterator.afterSequence, limit: limit,
                maxBytes: Self.maxRecordBytesPerCall)
            let records = stored.map { record in
                StreamRecord(
                    sequenceNumber: StreamCodec.sequenceNumber(record.sequence), eventName: record.event.name,
                    createdSeconds: Double(record.createdMillis) / 1000, keys: record.keys, oldImage: record.oldImage,
                    newImage: record.newImage, sizeBytes: record.size, viewType: stream.viewType, byService: record.byService)
            }
            let position = stored.last?.sequence ?? iterator.afterSequence
            let drained = end.map { position >= $0 } ?? false
            let next = drained
                ? nil
                : ShardIterator(streamID: iterator.streamID, shard: iterator.shard, afterSequence: position, issuedMillis: nowMillis).encoded
            var page = RecordsPage(records: records, nextIterator: next, tableName: tableName, streamLabel: stream.label)
            if let last = stored.last,
                let newest = try connection.newestStreamRecordMillis(streamID: iterator.streamID, shard: iterator.shard)
            {
                page.behindNewestMillis = max(0, newest - last.createdMillis)
            }
            return page
        }
    }
}
