/// One shard of a stream as stored.
public struct StoredShard: Sendable, Equatable {
    public var shard: Int64
    /// The shard it was rolled over from (nil for a stream's first shard).
    public var parent: Int64?
    public var openedMillis: Int64
    /// The first sequence number the shard can hold.
    public var startSequence: Int64
    /// Set once the shard is closed: its last record (or, if it has none, the last sequence
    /// number handed out before it closed).
    public var endSequence: Int64?
    /// Every record up to this sequence number has been trimmed (0 when none has).
    public var trimmedSequence: Int64

    public init(shard: Int64, parent: Int64?, openedMillis: Int64, startSequence: Int64, endSequence: Int64?, trimmedSequence: Int64) {
        self.shard = shard
        self.parent = parent
        self.openedMillis = openedMillis
        self.startSequence = startSequence
        self.endSequence = endSequence
        self.trimmedSequence = trimmedSequence
    }
}

/// One change record as stored, its images decoded.
public struct StoredStreamRecord: Sendable {
    public var sequence: Int64
    public var createdMillis: Int64
    public var event: StreamLog.Event
    /// True for deletions made by the TTL sweeper.
    public var byService: Bool
    /// The record's DynamoDB size (keys and kept images).
    public var size: Int
    public var keys: Item
    public var oldImage: Item?
    public var newImage: Item?

    public init(sequence: Int64, createdMillis: Int64, event: StreamLog.Event, byService: Bool, size: Int, keys: Item, oldImage: Item?, newImage: Item?) {
        self.sequence = sequence
        self.createdMillis = createdMillis
        self.event = event
        self.byService = byService
        self.size = size
        self.keys = keys
        self.oldImage = oldImage
        self.newImage = newImage
    }
}

/// A change record to append, its images already chosen by the stream's view type.
public struct NewStreamRecord {
    public var streamID: Int64
    public var event: StreamLog.Event
    public var byService: Bool
    public var size: Int
    public var keys: Item
    public var oldImage: Item?
    public var newImage: Item?

    public init(streamID: Int64, event: StreamLog.Event, byService: Bool, size: Int, keys: Item, oldImage: Item?, newImage: Item?) {
        self.streamID = streamID
        self.event = event
        self.byService = byService
        self.size = size
        self.keys = keys
        self.oldImage = oldImage
        self.newImage = newImage
    }
}

/// The storage port of change streams (see `StoragePort`): shards and their records.
///
/// Sequence numbers are global across streams, increase with every record and are never reused.
/// Each stream has at most one open shard; appending to a stream whose open shard is older than
/// the rollover interval closes it and opens a child shard first.
public protocol StreamStorage {
    // MARK: Writing (inside the change's own transaction)

    /// Appends a record to the stream's open shard, rolling the shard over when it has been
    /// open `rollover` seconds or more (or opening the stream's first shard).
    func appendStreamRecord(_ record: NewStreamRecord, now: Double, rollover: Double) throws

    /// Opens a shard; its first sequence number is the next one to be handed out.
    /// - Returns: the shard's number (`parent + 1`, 1 for the first).
    @discardableResult
    func openStreamShard(streamID: Int64, parent: Int64?, now: Double) throws -> Int64

    /// Closes whatever shard of the stream is open (when the stream is disabled).
    func closeOpenStreamShards(streamID: Int64, now: Double) throws

    /// Removes every shard and record of the given streams (when their table is deleted).
    func dropStreams(_ streamIDs: [Int64]) throws

    /// A new stream id, never used before.
    func nextStreamID() throws -> Int64

    // MARK: Reading

    /// The stream's shards numbered above `shard`, in order.
    func streamShards(streamID: Int64, after shard: Int64) throws -> [StoredShard]

    /// One shard, or nil when the stream has no such shard (any more).
    func streamShard(streamID: Int64, shard: Int64) throws -> StoredShard?

    /// The last sequence number handed out to a record still stored (0 when there is none).
    func lastStreamSequence() throws -> Int64

    /// A number at or after the last one handed out in an open shard's numbering and below
    /// the next one: where a LATEST iterator starts (see `lastStreamSequence(streamID:shard:)`
    /// in the extension for the default of a backend with one numbering for every shard).
    func lastStreamSequence(streamID: Int64, shard: Int64) throws -> Int64

    /// Up to `limit` records of a shard after a sequence number, in order, stopping before a
    /// record that would take their total size past `maxBytes` (the first is always returned).
    func streamRecords(streamID: Int64, shard: Int64, after sequence: Int64, limit: Int, maxBytes: Int) throws
        -> [StoredStreamRecord]

    /// The creation time of the newest record of a shard, or nil when it has none.
    func newestStreamRecordMillis(streamID: Int64, shard: Int64) throws -> Int64?

    // MARK: Trimming (the maintenance loop)

    /// Deletes up to `limit` of the oldest records created before `cutoffMillis`, and marks each
    /// shard they came from as trimmed up to its newest deleted record.
    /// - Returns: how many records were deleted.
    func trimStreamRecords(createdBeforeMillis cutoffMillis: Int64, limit: Int) throws -> Int

    /// Removes shards that closed before `cutoffMillis` and hold no record any more.
    func dropDrainedStreamShards(closedBeforeMillis cutoffMillis: Int64) throws

    /// Whether the stream still has any shard.
    func streamHasShards(streamID: Int64) throws -> Bool
}

extension StreamStorage {
    /// With sequence numbers global across streams (SQLite), the last one still stored bounds
    /// every open shard's; a backend numbering per shard (PostgreSQL) answers its shard's.
    public func lastStreamSequence(streamID: Int64, shard: Int64) throws -> Int64 {
        try lastStreamSequence()
    }
}
