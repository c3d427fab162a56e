/// The write side of change streams: a record (`record`, via `ExternalDerivedRows.streamRecord`
/// for every backend) is appended inside the item's own transaction
/// (`StreamStorage.appendStreamRecord`), so a change and its record commit (or vanish) together.
///
/// Each stream has one open shard at a time; records of every item therefore keep their order
/// within it. A shard older than the rollover interval is closed at the next write and a child
/// shard opened (ParentShardId lineage), as DynamoDB rolls shards over about every four hours.
public enum StreamLog {
    /// The kind of change, as stored (never renumber).
    public enum Event: Int64, Sendable {
        case insert = 1
        case modify = 2
        case remove = 3

        var name: String {
            switch self {
            case .insert: "INSERT"
            case .modify: "MODIFY"
            case .remove: "REMOVE"
            }
        }
    }

    /// The record of a change from `old` to `new` (nil: absent) with the images the stream's
    /// view type keeps, or nil when nothing changed from absent to absent.
    static func record(of stream: StreamDefinition, keys: Item, old: Item?, new: Item?, byService: Bool) -> NewStreamRecord? {
        let event: Event
        switch (old, new) {
        case (nil, nil): return nil
        case (nil, .some): event = .insert
        case (.some, .some): event = .modify
        case (.some, nil): event = .remove
        }
        let oldImage = stream.viewType.keepsOldImage ? old : nil
        let newImage = stream.viewType.keepsNewImage ? new : nil
        let size = ItemSize.of(keys) + (oldImage.map(ItemSize.of) ?? 0) + (newImage.map(ItemSize.of) ?? 0)
        return NewStreamRecord(
            streamID: stream.id, event: event, byService: byService, size: size, keys: keys,
            oldImage: oldImage, newImage: newImage)
    }
}
