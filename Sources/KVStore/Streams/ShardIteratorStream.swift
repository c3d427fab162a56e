extension KVEngine {
    /// The table and stream label a shard iterator reads from, without reading records: the
    /// policy evaluator checks `GetRecords` against the stream's ARN
    /// (`table/<table>/stream/<label>`), which the iterator names only by the stream's id.
    /// Nil for a malformed iterator or a stream no table has any more.
    public func streamOfShardIterator(_ encoded: String) -> (table: String, label: String)? {
        guard let iterator = ShardIterator(encoded: encoded) else { return nil }
        for name in catalog.allNames() {
            guard let table = catalog.table(named: name) else { continue }
            if let stream = table.streams.first(where: { $0.id == iterator.streamID }) {
                return (table: table.name, label: stream.label)
            }
        }
        return nil
    }
}
