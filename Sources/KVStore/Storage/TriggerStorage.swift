/// The storage port of stream triggers (see `StoragePort`): the event source mappings and each
/// mapping's checkpoint per shard, stored beside the streams so that a restart resumes after
/// the last acknowledged batch (at-least-once delivery).
public protocol TriggerStorage {
    /// Creates the trigger storage if it is missing (idempotent; writes nothing once it exists).
    func prepareTriggerStorage() throws

    /// Every mapping, ordered by UUID.
    func triggerMappings() throws -> [EventSourceMapping]

    /// Stores a mapping (inserting or replacing by UUID).
    func saveTriggerMapping(_ mapping: EventSourceMapping) throws

    /// Checkpoints a mapping at the current end of every shard of a stream: open shards after
    /// the last record stored, closed ones as finished (a new mapping starting at LATEST).
    func checkpointTriggerAtStreamEnd(uuid: String, streamID: Int64) throws

    /// Removes a mapping and its checkpoints.
    func deleteTriggerMapping(uuid: String) throws

    /// A mapping's checkpoints in one stream, by shard.
    func triggerCheckpoints(uuid: String, streamID: Int64) throws -> [Int64: TriggerCheckpoint]

    /// Stores a mapping's checkpoint in one shard.
    func saveTriggerCheckpoint(uuid: String, streamID: Int64, shard: Int64, _ checkpoint: TriggerCheckpoint) throws
}
