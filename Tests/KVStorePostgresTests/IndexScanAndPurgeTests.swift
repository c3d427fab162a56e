import KVStorePostgres
import PostgresNIO
import Testing

/// A Scan of an index in `(h, pk, sk, tpk, tsk)` order, resumable and by segment; a deleted
/// table's rows purged in batches, leaving other tables alone.
@Suite(.timeLimit(.minutes(2))) struct IndexScanAndPurgeTests {
    @Test func anIndexScanReadsAllRowsInKeyOrderPageByPage() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            var keys: [IndexRowKey] = []
            for hash in [Int64.min, -5, 0, 7, .max] {
                for pk in [[1], [1, 0], [2]] as [[UInt8]] {
                    for (sk, tpk) in [([], [9]), ([0], [3]), ([0], [4]), ([0, 1], [1])] as [([UInt8], [UInt8])] {
                        keys.append(IndexRowKey(storageID: 3, indexNo: 2, hash: hash, pk: pk, sk: sk, tpk: tpk, tsk: [UInt8(keys.count % 256)]))
                    }
                }
            }
            try await pool.transaction { connection in
                // Inserted in reverse, with a row of another index and of another table beside.
                for key in keys.reversed() {
                    try await PostgresIndexRows.put(key, ItemRow(item: key.tsk, size: 1), on: connection, logger: TestPostgres.logger)
                }
                var other = keys[0]
                other.indexNo = 1
                try await PostgresIndexRows.put(other, ItemRow(item: [], size: 0), on: connection, logger: TestPostgres.logger)
                other.storageID = 4
                try await PostgresIndexRows.put(other, ItemRow(item: [], size: 0), on: connection, logger: TestPostgres.logger)
            }
            // `keys` was built in (h, pk, sk, tpk) order already.
            var read: [IndexRowKey] = []
            var position: IndexScanPosition?
            while true {
                let page = try await PostgresIndexRows.scan(storageID: 3, indexNo: 2, after: position, limit: 7, pool: pool)
                read += page.map(\.key)
                #expect(page.allSatisfy { $0.row.item == $0.key.tsk })
                guard page.count == 7, let last = page.last else { break }
                position = IndexScanPosition(last.key)
            }
            #expect(read == keys)
            // A segment: a range of h.
            let segment = try await PostgresIndexRows.scan(storageID: 3, indexNo: 2, hashes: -5...7, after: nil, limit: 100, pool: pool)
            #expect(segment.map(\.key) == keys.filter { (-5...7).contains($0.hash) })
        }
    }

    @Test func aDeletedTablesRowsArePurgedInBatches() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let logger = TestPostgres.logger
            let (dropped, kept) = try await pool.transaction { connection in
                let dropped = try #require(try await PostgresCatalog.create(name: "gone", definition: "{}", on: connection, logger: logger))
                let kept = try #require(try await PostgresCatalog.create(name: "kept", definition: "{}", on: connection, logger: logger))
                return (dropped.storageID, kept.storageID)
            }
            try await pool.transaction { connection in
                for storageID in [dropped, kept] {
                    for index in 0..<25 {
                        let key = RowKey(storageID: storageID, hash: Int64(index), pk: [UInt8(index)])
                        try await PostgresItems.apply(.put(ItemRow(item: [1], size: 1)), at: key, replacing: nil, on: connection, logger: logger)
                        try await PostgresIndexRows.put(
                            IndexRowKey(storageID: storageID, indexNo: 1, hash: 0, pk: [0], tpk: key.pk), ItemRow(item: [1], size: 1),
                            on: connection, logger: logger)
                        try await PostgresExpiry.update(key, from: nil, to: 10, on: connection, logger: logger)
                    }
                    try await PostgresBackfill.save(storageID: storageID, indexNo: 1, position: ScanPosition(hash: 0, pk: [0], sk: []), on: connection, logger: logger)
                }
            }
            #expect(try await PostgresTablePurge.pending(pool: pool).isEmpty)
            _ = try await pool.transaction { connection in
                try await PostgresCatalog.delete("gone", dropped: 5, on: connection, logger: logger)
            }
            #expect(try await PostgresTablePurge.pending(pool: pool) == [dropped])
            // 25 items, 25 index rows, 25 expiry rows and a backfill row, 10 of a kind at a time.
            #expect(try await PostgresTablePurge.purgeBatch(storageID: dropped, batchSize: 10, pool: pool) == 31)
            #expect(try await PostgresTablePurge.purgeAll(batchSize: 10, pool: pool) == 45)
            #expect(try await PostgresTablePurge.pending(pool: pool).isEmpty)
            for (storageID, expected) in [(dropped, 0), (kept, 25)] {
                #expect(try await PostgresItems(pool: pool).scan(storageID: storageID, after: nil, limit: 100).count == expected)
                #expect(try await PostgresIndexRows.scan(storageID: storageID, indexNo: 1, after: nil, limit: 100, pool: pool).count == expected)
                #expect(try await PostgresExpiry.due(storageID: storageID, now: 100, limit: 100, pool: pool).count == expected)
            }
        }
    }
}
