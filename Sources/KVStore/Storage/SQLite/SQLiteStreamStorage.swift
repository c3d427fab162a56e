/// Change streams in SQLite: `kv_shards` and `kv_stream_records` (layout in `Schema`).
///
/// `kv_stream_records.seq` is an AUTOINCREMENT rowid, so `sqlite_sequence` holds the last
/// sequence number ever handed out, even once its record is trimmed or dropped.
extension Connection: StreamStorage {
    func appendStreamRecord(_ record: NewStreamRecord, now: Double, rollover: Double) throws {
        let shard = try currentStreamShard(of: record.streamID, now: now, rollover: rollover)
        let insert = try self.statement(
            """
            INSERT INTO kv_stream_records (stream_id, shard, created, event, service, size, keys, old, new)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        defer { insert.reset() }
        try insert.bind(1, record.streamID)
        try insert.bind(2, shard)
        try insert.bind(3, Self.millis(now))
        try insert.bind(4, record.event.rawValue)
        try insert.bind(5, record.byService ? 1 : 0)
        try insert.bind(6, Int64(record.size))
        try insert.bind(7, ItemCodec.encode(record.keys))
        if let oldImage = record.oldImage { try insert.bind(8, ItemCodec.encode(oldImage)) } else { try insert.bindNull(8) }
        if let newImage = record.newImage { try insert.bind(9, ItemCodec.encode(newImage)) } else { try insert.bindNull(9) }
        try insert.run()
    }

    /// The open shard of a stream, rolling over to a child shard when it has been open too long.
    private func currentStreamShard(of streamID: Int64, now: Double, rollover: Double) throws -> Int64 {
        let open = try self.statement(
            "SELECT shard, opened FROM kv_shards WHERE stream_id = ? AND closed IS NULL ORDER BY shard DESC LIMIT 1")
        defer { open.reset() }
        try open.bind(1, streamID)
        guard try open.step() else {
            return try openStreamShard(streamID: streamID, parent: nil, now: now)
        }
        let shard = open.int64(0)
        let opened = Double(open.int64(1)) / 1000
        open.reset()
        guard now - opened >= rollover else { return shard }
        try closeStreamShard(streamID: streamID, shard: shard, now: now)
        return try openStreamShard(streamID: streamID, parent: shard, now: now)
    }

    @discardableResult
    func openStreamShard(streamID: Int64, parent: Int64?, now: Double) throws -> Int64 {
        let number = (parent ?? 0) + 1
        let insert = try self.statement(
            """
            INSERT INTO kv_shards (stream_id, shard, parent, opened, start_seq)
            VALUES (?, ?, ?, ?, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv_stream_records'), 0) + 1)
            """)
        defer { insert.reset() }
        try insert.bind(1, streamID)
        try insert.bind(2, number)
        if let parent { try insert.bind(3, parent) } else { try insert.bindNull(3) }
        try insert.bind(4, Self.millis(now))
        try insert.run()
        return number
    }

    /// Closes a shard: its EndingSequenceNumber is its last record (or, if it has none, the last
    /// sequence number handed out before it closed).
    private func closeStreamShard(streamID: Int64, shard: Int64, now: Double) throws {
        let close = try self.statement(
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
        try close.bind(3, Self.millis(now))
        try close.run()
    }

    func closeOpenStreamShards(streamID: Int64, now: Double) throws {
        let open = try self.statement("SELECT shard FROM kv_shards WHERE stream_id = ? AND closed IS NULL")
        defer { open.reset() }
        try open.bind(1, streamID)
        var shards: [Int64] = []
        while try open.step() { shards.append(open.int64(0)) }
        open.reset()
        for shard in shards {
            try closeStreamShard(streamID: streamID, shard: shard, now: now)
        }
    }

    func dropStreams(_ streamIDs: [Int64]) throws {
        for id in streamIDs {
            for sql in ["DELETE FROM kv_stream_records WHERE stream_id = ?", "DELETE FROM kv_shards WHERE stream_id = ?"] {
                let statement = try self.statement(sql)
                defer { statement.reset() }
                try statement.bind(1, id)
                try statement.run()
            }
        }
    }

    func nextStreamID() throws -> Int64 {
        let statement = try self.statement("SELECT COALESCE(MAX(stream_id), 0) + 1 FROM kv_shards")
        defer { statement.reset() }
        _ = try statement.step()
        return statement.int64(0)
    }

    func streamShards(streamID: Int64, after shard: Int64) throws -> [StoredShard] {
        let statement = try self.statement(
            "SELECT shard, parent, opened, start_seq, end_seq, closed, trimmed_seq FROM kv_shards WHERE stream_id = ? AND shard > ? ORDER BY shard")
        defer { statement.reset() }
        try statement.bind(1, streamID)
        try statement.bind(2, shard)
        var result: [StoredShard] = []
        while try statement.step() {
            result.append(Self.shard(from: statement))
        }
        return result
    }

    func streamShard(streamID: Int64, shard: Int64) throws -> StoredShard? {
        let statement = try self.statement(
            "SELECT shard, parent, opened, start_seq, end_seq, closed, trimmed_seq FROM kv_shards WHERE stream_id = ? AND shard = ?")
        defer { statement.reset() }
        try statement.bind(1, streamID)
        try statement.bind(2, shard)
        guard try statement.step() else { return nil }
        return Self.shard(from: statement)
    }

    /// A row of the two queries above.
    private static func shard(from row: Statement) -> StoredShard {
        StoredShard(
            shard: row.int64(0), parent: row.isNull(1) ? nil : row.int64(1), openedMillis: row.int64(2),
            startSequence: row.int64(3), endSequence: row.isNull(5) ? nil : row.int64(4), trimmedSequence: row.int64(6))
    }

    func lastStreamSequence() throws -> Int64 {
        let last = try self.statement("SELECT COALESCE(MAX(seq), 0) FROM kv_stream_records")
        defer { last.reset() }
        _ = try last.step()
        return last.int64(0)
    }

    func streamRecords(streamID: Int64, shard: Int64, after sequence: Int64, limit: Int, maxBytes: Int) throws
        -> [StoredStreamRecord]
    {
        let select = try self.statement(
            """
            SELECT seq, created, event, service, size, keys, old, new FROM kv_stream_records
            WHERE stream_id = ? AND shard = ? AND seq > ? ORDER BY seq LIMIT ?
            """)
        defer { select.reset() }
        try select.bind(1, streamID)
        try select.bind(2, shard)
        try select.bind(3, sequence)
        try select.bind(4, Int64(limit))
        var records: [StoredStreamRecord] = []
        var bytes = 0
        while try select.step() {
            let size = Int(select.int64(4))
            if !records.isEmpty && bytes + size > maxBytes { break }
            bytes += size
            records.append(
                StoredStreamRecord(
                    sequence: select.int64(0), createdMillis: select.int64(1),
                    event: StreamLog.Event(rawValue: select.int64(2)) ?? .modify, byService: select.int64(3) == 1,
                    size: size, keys: try ItemCodec.decode(select.blob(5)),
                    oldImage: select.isNull(6) ? nil : try ItemCodec.decode(select.blob(6)),
                    newImage: select.isNull(7) ? nil : try ItemCodec.decode(select.blob(7))))
        }
        return records
    }

    func newestStreamRecordMillis(streamID: Int64, shard: Int64) throws -> Int64? {
        let newest = try self.statement(
            "SELECT created FROM kv_stream_records WHERE stream_id = ? AND shard = ? ORDER BY seq DESC LIMIT 1")
        defer { newest.reset() }
        try newest.bind(1, streamID)
        try newest.bind(2, shard)
        guard try newest.step() else { return nil }
        return newest.int64(0)
    }

    func trimStreamRecords(createdBeforeMillis cutoff: Int64, limit: Int) throws -> Int {
        let select = try self.statement(
            "SELECT seq, stream_id, shard FROM kv_stream_records WHERE created < ? ORDER BY seq LIMIT \(limit)")
        defer { select.reset() }
        try select.bind(1, cutoff)
        var newest: [Int64: [Int64: Int64]] = [:]
        var last: Int64 = 0
        var count = 0
        while try select.step() {
            last = select.int64(0)
            newest[select.int64(1), default: [:]][select.int64(2)] = last
            count += 1
        }
        select.reset()
        guard count > 0 else { return 0 }
        let delete = try self.statement("DELETE FROM kv_stream_records WHERE seq <= ? AND created < ?")
        defer { delete.reset() }
        try delete.bind(1, last)
        try delete.bind(2, cutoff)
        try delete.run()
        let mark = try self.statement(
            "UPDATE kv_shards SET trimmed_seq = MAX(trimmed_seq, ?) WHERE stream_id = ? AND shard = ?")
        defer { mark.reset() }
        for (stream, shards) in newest {
            for (shard, seq) in shards {
                mark.reset()
                try mark.bind(1, seq)
                try mark.bind(2, stream)
                try mark.bind(3, shard)
                try mark.run()
            }
        }
        return count
    }

    func dropDrainedStreamShards(closedBeforeMillis cutoff: Int64) throws {
        let drop = try self.statement(
            """
            DELETE FROM kv_shards WHERE closed IS NOT NULL AND closed < ? AND NOT EXISTS
                (SELECT 1 FROM kv_stream_records r WHERE r.stream_id = kv_shards.stream_id AND r.shard = kv_shards.shard)
            """)
        defer { drop.reset() }
        try drop.bind(1, cutoff)
        try drop.run()
    }

    func streamHasShards(streamID: Int64) throws -> Bool {
        let shards = try self.statement("SELECT 1 FROM kv_shards WHERE stream_id = ? LIMIT 1")
        defer { shards.reset() }
        try shards.bind(1, streamID)
        return try shards.step()
    }

    /// Milliseconds since 1970, as the stream tables store times.
    private static func millis(_ seconds: Double) -> Int64 {
        Int64((seconds * 1000).rounded())
    }
}
