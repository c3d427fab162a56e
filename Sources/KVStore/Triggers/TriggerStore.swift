
/// Where a mapping stands in one shard.
public struct TriggerCheckpoint: Sendable, Equatable {
    /// Every record up to this sequence number has been acknowledged.
    public var afterSequence: Int64
    /// The shard is closed and every record of it acknowledged.
    public var finished: Bool

    public init(afterSequence: Int64, finished: Bool) {
        self.afterSequence = afterSequence
        self.finished = finished
    }
}

/// One shard of a stream as the pollers need it.
public struct TriggerShard: Sendable, Equatable {
    public var shard: Int64
    public var parent: Int64?
    public var shardID: String
    public var startSequence: Int64
    /// Set once the shard is closed.
    public var endSequence: Int64?
    public var trimmedSequence: Int64
}

/// Mappings and checkpoints, stored in the database beside the streams (`TriggerStorage`) so
/// that a restart resumes after the last acknowledged batch (at-least-once delivery).
extension KVEngine {
    /// Creates the trigger storage if it is missing (idempotent) and returns the stored
    /// mappings, read in the same transaction (so that start-up needs no read of its own, and
    /// no reader connection: README, "Where the time to the first answer goes"). Allowed on a
    /// full disk (where the server must still start): once it exists this writes nothing.
    @discardableResult
    public func prepareTriggerStore() async throws -> [EventSourceMapping] {
        try await storage.write(.freesSpace) { connection in
            try connection.prepareTriggerStorage()
            return try connection.triggerMappings()
        }
    }

    public func loadTriggerMappings() async throws -> [EventSourceMapping] {
        try await storage.read { connection in
            try connection.triggerMappings()
        }
    }

    /// Saves a mapping. A new mapping starting at LATEST gets checkpoints at the current end of
    /// every shard of its stream, in the same transaction, so only later changes are delivered.
    public func saveTriggerMapping(_ mapping: EventSourceMapping, isNew: Bool) async throws {
        let stream = triggerStream(of: mapping)
        try await storage.write { connection in
            try connection.saveTriggerMapping(mapping)
            guard isNew, mapping.startingPosition == .latest, let stream else { return }
            try connection.checkpointTriggerAtStreamEnd(uuid: mapping.uuid, streamID: stream.id)
        }
    }

    /// Deletes a mapping and its checkpoints.
    public func deleteTriggerMapping(uuid: String) async throws {
        try await storage.write { connection in
            try connection.deleteTriggerMapping(uuid: uuid)
        }
    }

    /// The stream a mapping reads, if its table and stream still exist.
    public func triggerStream(of mapping: EventSourceMapping) -> StreamDefinition? {
        catalog.table(named: mapping.tableName)?.streams.first { $0.label == mapping.streamLabel }
    }

    /// The label of a table's latest stream (what `TableName` in the triggers file names).
    public func latestStreamLabel(tableName: String) -> String? {
        catalog.table(named: tableName)?.streams.last?.label
    }

    func triggerCheckpoints(uuid: String, streamID: Int64) async throws -> [Int64: TriggerCheckpoint] {
        try await storage.read { connection in
            try connection.triggerCheckpoints(uuid: uuid, streamID: streamID)
        }
    }

    func saveTriggerCheckpoint(uuid: String, streamID: Int64, shard: Int64, _ checkpoint: TriggerCheckpoint) async throws {
        try await storage.write { connection in
            try connection.saveTriggerCheckpoint(uuid: uuid, streamID: streamID, shard: shard, checkpoint)
        }
    }

    func triggerShards(streamID: Int64) async throws -> [TriggerShard] {
        try await storage.read { connection in
            try connection.streamShards(streamID: streamID, after: 0).map { shard in
                TriggerShard(
                    shard: shard.shard, parent: shard.parent,
                    shardID: StreamCodec.shardID(shard: shard.shard, openedMillis: shard.openedMillis),
                    startSequence: shard.startSequence, endSequence: shard.endSequence,
                    trimmedSequence: shard.trimmedSequence)
            }
        }
    }

    /// Up to `limit` records of a shard after a sequence number, through the Streams read path.
    func triggerRecords(streamID: Int64, shard: Int64, after: Int64, limit: Int) async throws -> [StreamRecord] {
        var result: [StreamRecord] = []
        var position = after
        while result.count < limit {
            let issued = Int64((now() * 1000).rounded())
            let iterator = ShardIterator(streamID: streamID, shard: shard, afterSequence: position, issuedMillis: issued)
            let page = try await records(iterator: iterator.encoded, limit: min(limit - result.count, Self.maxRecordsPerCall))
            guard let last = page.records.last, let sequence = StreamCodec.sequence(from: last.sequenceNumber) else { break }
            result += page.records
            position = sequence
            if page.nextIterator == nil { break }
        }
        return result
    }

    /// The current time of the engine's clock.
    public var currentTime: Double { now() }
}
