import PostgresNIO

extension PostgresBlockingTransaction {
    /// Writes one item's change set in this transaction: the item row, its index rows and its
    /// expiry row now; its stream record just before COMMIT (`appendStreamRecords`), with every
    /// other record of the transaction, since a shard row stays locked from its append to COMMIT.
    ///
    /// - Throws: `PostgresConflict(.concurrentInsert)` when an item absent at the read was
    ///   inserted meanwhile: the transaction must be run again whole (`PostgresRerun`).
    public func commit(_ change: PostgresChangeSet) throws {
        guard change.write != .keep else { return }
        // Nothing here is waited for: the statements go out with the body's next statement or
        // with COMMIT, in the same blocking call (`enqueue`); a lost insert fails that call.
        try enqueue { connection, logger in
            try await PostgresItems.apply(change.write, at: change.key, replacing: change.old, on: connection, logger: logger)
            // Deletions first: a row moving within an index is deleted, then written anew.
            for case .delete(let key) in change.indexRows {
                try await PostgresIndexRows.delete(key, on: connection, logger: logger)
            }
            for case .put(let key, let row) in change.indexRows {
                try await PostgresIndexRows.put(key, row, on: connection, logger: logger)
            }
            if let expiry = change.expiry {
                try await PostgresExpiry.update(change.key, from: expiry.from, to: expiry.to, on: connection, logger: logger)
            }
        }
        if let stream = change.stream {
            pendingAppends.append(stream)
        }
    }

    /// Appends the transaction's stream records (run by the runner just before COMMIT), in
    /// `(stream, shard)` order, so that two transactions appending to the same shards never
    /// wait for each other in a cycle; records of one shard keep their commit order.
    ///
    /// - Throws: `PostgresStorageError.shardNotOpen` when a shard was closed meanwhile: the
    ///   transaction is rolled back and run again whole (`PostgresRerun.onClosedShard`).
    func appendStreamRecords() throws {
        guard !pendingAppends.isEmpty else { return }
        let appends = pendingAppends.enumerated()
            .sorted { ($0.element.streamID, $0.element.shard, $0.offset) < ($1.element.streamID, $1.element.shard, $1.offset) }
            .map(\.element)
        pendingAppends = []
        try enqueue { connection, logger in
            for append in appends {
                _ = try await PostgresStreams.append(
                    append.record, streamID: append.streamID, shard: append.shard, on: connection, logger: logger)
            }
        }
    }
}
