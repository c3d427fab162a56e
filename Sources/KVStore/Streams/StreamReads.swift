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

/// The DynamoDB Streams API over `kv_shards` / `kv_stream_records`.
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
        let shards = try await database.read { connection in
            let statement = try connection.statement(
                "SELECT shard, parent, opened, start_seq, end_seq, closed FROM kv_shards WHERE stream_id = ? AND shard > ? ORDER BY shard")
            defer { statement.reset() }
            try statement.bind(1, stream.id)
            try statement.bind(2, startAfter)
            var rows: [(Int64, Int64?, Int64, Int64, Int64?)] = []
            while try statement.step() {
                rows.append((
                    statement.int64(0), statement.isNull(1) ? nil : statement.int64(1), statement.int64(2),
                    statement.int64(3), statement.isNull(5) ? nil : statement.int64(4)
                ))
            }
            let openedByShard = try Self.openedTimes(streamID: stream.id, connection: connection)
            return rows.map { row in
                ShardDescription(
                    shardID: StreamCodec.shardID(shard: row.0, openedMillis: row.2),
                    parentShardID: row.1.flatMap { parent in
                        openedByShard[parent].map { StreamCodec.shardID(shard: parent, openedMillis: $0) }
                    },
                    startingSequenceNumber: StreamCodec.sequenceNumber(row.3),
                    endingSequenceNumber: row.4.map(StreamCodec.sequenceNumber))
            }
        }
        let page = Array(shards.prefix(max(limit, 1)))
        let more = shards.count > page.count
        return StreamDescription(
            tableName: table.name, keySchema: table.keySchema, stream: stream, shards: page,
            lastEvaluatedShardID: more ? page.last?.shardID : nil)
    }

    private static func openedTimes(streamID: Int64, connection: Connection) throws -> [Int64: Int64] {
        let statement = try connection.statement("SELECT shard, opened FROM kv_shards WHERE stream_id = ?")
        defer { statement.reset() }
        try statement.bind(1, streamID)
        var result: [Int64: Int64] = [:]
        while try statement.step() { result[statement.int64(0)] = statement.int64(1) }
        return result
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
        return try await database.read { connection in
            let statement = try connection.statement(
                "SELECT start_seq, end_seq, closed, trimmed_seq FROM kv_shards WHERE stream_id = ? AND shard = ?")
            defer { statement.reset() }
            try statement.bind(1, streamID)
            try statement.bind(2, shard)
            guard try statement.step() else {
                throw KVError.resourceNotFound("Requested resource not found: Shard does not exist")
            }
            let start = statement.int64(0)
            let closed = !statement.isNull(2)
            let end: Int64? = closed ? statement.int64(1) : nil
            let trimmed = statement.int64(3)
            statement.reset()
            let after: Int64
            switch type {
            case .trimHorizon:
                after = max(trimmed, start - 1)
            case .latest:
                if let end {
                    after = end
                } else {
                    let last = try connection.statement("SELECT COALESCE(MAX(seq), 0) FROM kv_stream_records")
                    defer { last.reset() }
                    _ = try last.step()
                    after = max(last.int64(0), start - 1)
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
        return try await database.read { connection in
            let shardRow = try connection.statement(
                "SELECT end_seq, closed, trimmed_seq FROM kv_shards WHERE stream_id = ? AND shard = ?")
            defer { shardRow.reset() }
            try shardRow.bind(1, iterator.streamID)
            try shardRow.bind(2, iterator.shard)
            guard try shardRow.step() else {
                throw KVError.resourceNotFound("Requested resource not found: Shard does not exist")
            }
            let end: Int64? = shardRow.isNull(1) ? nil : shardRow.int64(0)
            let trimmed = shardRow.int64(2)
            shardRow.reset()
            if iterator.afterSequence < trimmed {
                throw KVError(.trimmedDataAccess, "The operation attempted to read past the oldest stream record in a shard.")
            }
            let select = try connection.statement(
                """
                SELECT seq, created, event, service, size, keys, old, new FROM kv_stream_records
                WHERE stream_id = ? AND shard = ? AND seq > ? ORDER BY seq LIMIT ?
                """)
            defer { select.reset() }
            try select.bind(1, iterator.streamID)
            try select.bind(2, iterator.shard)
            try select.bind(3, iterator.afterSequence)
            try select.bind(4, Int64(limit))
            var records: [StreamRecord] = []
            var bytes = 0
            var position = iterator.afterSequence
            var lastCreated: Int64 = 0
            while try select.step() {
                let size = Int(select.int64(4))
                if !records.isEmpty && bytes + size > Self.maxRecordBytesPerCall { break }
                bytes += size
                position = select.int64(0)
                lastCreated = select.int64(1)
                let event = StreamLog.Event(rawValue: select.int64(2)) ?? .modify
                records.append(
                    StreamRecord(
                        sequenceNumber: StreamCodec.sequenceNumber(position),
                        eventName: event.name,
                        createdSeconds: Double(select.int64(1)) / 1000,
                        keys: try ItemCodec.decode(select.blob(5)),
                        oldImage: select.isNull(6) ? nil : try ItemCodec.decode(select.blob(6)),
                        newImage: select.isNull(7) ? nil : try ItemCodec.decode(select.blob(7)),
                        sizeBytes: size, viewType: stream.viewType, byService: select.int64(3) == 1))
            }
            let drained = end.map { position >= $0 } ?? false
            let next = drained
                ? nil
                : ShardIterator(streamID: iterator.streamID, shard: iterator.shard, afterSequence: position, issuedMillis: nowMillis).encoded
            var page = RecordsPage(records: records, nextIterator: next, tableName: tableName, streamLabel: stream.label)
            if !records.isEmpty {
                select.reset()
                let newest = try connection.statement(
                    "SELECT created FROM kv_stream_records WHERE stream_id = ? AND shard = ? ORDER BY seq DESC LIMIT 1")
                defer { newest.reset() }
                try newest.bind(1, iterator.streamID)
                try newest.bind(2, iterator.shard)
                if try newest.step() {
                    page.behindNewestMillis = max(0, newest.int64(0) - lastCreated)
                }
            }
            return page
        }
    }
}
