/// The write side of change streams: records go into `kv_stream_records` inside the item's own
/// transaction, so a change and its record commit (or vanish) together.
///
/// Each stream has one open shard at a time; records of every item therefore keep their order
/// within it. A shard older than the rollover interval is closed at the next write and a child
/// shard opened (ParentShardId lineage), as DynamoDB rolls shards over about every four hours.
enum StreamLog {
    enum Event: Int64 {
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

    static func append(
        to stream: StreamDefinition, keys: Item, old: Item?, new: Item?, byService: Bool,
        now: Double, rollover: Double, connection: Connection
    ) throws {
        let event: Event
        switch (old, new) {
        case (nil, nil): return
        case (nil, .some): event = .insert
        case (.some, .some): event = .modify
        case (.some, nil): event = .remove
        }
        let shard = try currentShard(of: stream.id, now: now, rollover: rollover, connection: connection)
        let oldImage = stream.viewType.keepsOldImage ? old : nil
        let newImage = stream.viewType.keepsNewImage ? new : nil
        let size = ItemSize.of(keys) + (oldImage.map(ItemSize.of) ?? 0) + (newImage.map(ItemSize.of) ?? 0)
        let insert = try connection.statement(
            """
            INSERT INTO kv_stream_records (stream_id, shard, created, event, service, size, keys, old, new)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        defer { insert.reset() }
        try insert.bind(1, stream.id)
        try insert.bind(2, shard)
        try insert.bind(3, Int64((now * 1000).rounded()))
        try insert.bind(4, event.rawValue)
        try insert.bind(5, byService ? 1 : 0)
        try insert.bind(6, Int64(size))
        try insert.bind(7, ItemCodec.encode(keys))
        if let oldImage { try insert.bind(8, ItemCodec.encode(oldImage)) } else { try insert.bindNull(8) }
        if let newImage { try insert.bind(9, ItemCodec.encode(newImage)) } else { try insert.bindNull(9) }
        try insert.run()
    }

    /// The open shard of a stream, rolling over to a child shard when it has been open too long.
    static func currentShard(of streamID: Int64, now: Double, rollover: Double, connection: Connection) throws -> Int64 {
        let open = try connection.statement(
            "SELECT shard, opened FROM kv_shards WHERE stream_id = ? AND closed IS NULL ORDER BY shard DESC LIMIT 1")
        defer { open.reset() }
        try open.bind(1, streamID)
        guard try open.step() else {
            return try openShard(streamID: streamID, parent: nil, now: now, connection: connection)
        }
        let shard = open.int64(0)
        let opened = Double(open.int64(1)) / 1000
        open.reset()
        guard now - opened >= rollover else { return shard }
        try closeShard(streamID: streamID, shard: shard, now: now, connection: connection)
        return try openShard(streamID: streamID, parent: shard, now: now, connection: connection)
    }

    @discardableResult
    static func openShard(streamID: Int64, parent: Int64?, now: Double, connection: Connection) throws -> Int64 {
        let number = (parent ?? 0) + 1
        let insert = try connection.statement(
            """
            INSERT INTO kv_shards (stream_id, shard, parent, opened, start_seq)
            VALUES (?, ?, ?, ?, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv_stream_records'), 0) + 1)
            """)
        defer { insert.reset() }
        try insert.bind(1, streamID)
        try insert.bind(2, number)
        if let parent { try insert.bind(3, parent) } else { try insert.bindNull(3) }
        try insert.bind(4, Int64((now * 1000).rounded()))
        try insert.run()
        return number
    }

    /// Closes a shard: its EndingSequenceNumber is its last record (or, if it has none, the last
    /// sequence number handed out before it closed).
    static func closeShard(streamID: Int64, shard: Int64, now: Double, connection: Connection) throws {
        let close = try connection.statement(
            """
            UPDATE kv_shards SET closed = ?3,
                end_seq = COALESCE(
                    (SELECT MAX(seq) FROM kv_stream_records WHERE stream_id = ?1 AND shard = ?2),
                    (SELECT seq FROM sqlite_sequence WHERE name = 'kv_stream_records'), 0)
            WHERE stream_id = ?1 AND shard = ?2
            """)
        defer { close.reset() }
        try close.bind(1, streamID)
        try close.bind(2, shard)
        try close.bind(3, Int64((now * 1000).rounded()))
        try close.run()
    }

    /// Closes whatever shard of the stream is open (when the stream is disabled).
    static func closeOpenShards(streamID: Int64, now: Double, connection: Connection) throws {
        let open = try connection.statement("SELECT shard FROM kv_shards WHERE stream_id = ? AND closed IS NULL")
        defer { open.reset() }
        try open.bind(1, streamID)
        var shards: [Int64] = []
        while try open.step() { shards.append(open.int64(0)) }
        open.reset()
        for shard in shards {
            try closeShard(streamID: streamID, shard: shard, now: now, connection: connection)
        }
    }

    /// Removes every shard and record of the given streams (when their table is deleted).
    static func drop(streamIDs: [Int64], connection: Connection) throws {
        for id in streamIDs {
            for sql in ["DELETE FROM kv_stream_records WHERE stream_id = ?", "DELETE FROM kv_shards WHERE stream_id = ?"] {
                let statement = try connection.statement(sql)
                defer { statement.reset() }
                try statement.bind(1, id)
                try statement.run()
            }
        }
    }

    /// A new stream id, never used before.
    static func nextStreamID(connection: Connection) throws -> Int64 {
        let statement = try connection.statement("SELECT COALESCE(MAX(stream_id), 0) + 1 FROM kv_shards")
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int64(0)
    }
}
