import KVStorePostgres
import Testing

@Suite(.timeLimit(.minutes(2))) struct PostgresIndexRowsTests {
    @Test func indexRowsOrderBySortKeyThenTableKeyAndPageBothWays() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            // Index key (pk "g", sk s) for items with table keys t: several items share sk 2.
            let rows: [(sk: UInt8, tpk: String)] = [(3, "a"), (2, "c"), (2, "a"), (1, "z"), (2, "b"), (4, "a")]
            try await pool.transaction { connection in
                for (sk, tpk) in rows {
                    let key = IndexRowKey(storageID: 2, indexNo: 1, hash: 5, pk: Array("g".utf8), sk: [sk], tpk: Array(tpk.utf8))
                    try await PostgresIndexRows.put(key, ItemRow(item: [sk], size: 1), on: connection, logger: TestPostgres.logger)
                }
                // Another index of the same table stays apart.
                let other = IndexRowKey(storageID: 2, indexNo: 2, hash: 5, pk: Array("g".utf8), sk: [2], tpk: Array("q".utf8))
                try await PostgresIndexRows.put(other, ItemRow(item: [], size: 0), on: connection, logger: TestPostgres.logger)
            }
            func label(_ found: [(key: IndexRowKey, row: ItemRow)]) -> [String] {
                found.map { "\($0.key.sk[0])\(String(decoding: $0.key.tpk, as: UTF8.self))" }
            }
            let g = Array("g".utf8)
            let all = try await PostgresIndexRows.range(storageID: 2, indexNo: 1, hash: 5, pk: g, .all, limit: 100, pool: pool)
            #expect(label(all) == ["1z", "2a", "2b", "2c", "3a", "4a"])
            // sk BETWEEN 2 AND 3, backwards.
            let between = SortKeyRange(lower: [2], upper: SortKeyRange.after([3]))
            let backwards = try await PostgresIndexRows.range(
                storageID: 2, indexNo: 1, hash: 5, pk: g, between, forward: false, limit: 100, pool: pool)
            #expect(label(backwards) == ["3a", "2c", "2b", "2a"])
            // Pages of two resume inside a run of equal index sort keys, both ways.
            for forward in [true, false] {
                var position: IndexPosition?
                var seen: [String] = []
                while true {
                    let page = try await PostgresIndexRows.range(
                        storageID: 2, indexNo: 1, hash: 5, pk: g, between, forward: forward, after: position, limit: 2, pool: pool)
                    seen += label(page)
                    guard page.count == 2, let last = page.last?.key else { break }
                    position = IndexPosition(sk: last.sk, tpk: last.tpk, tsk: last.tsk)
                }
                #expect(seen == (forward ? ["2a", "2b", "2c", "3a"] : ["3a", "2c", "2b", "2a"]))
            }
            // An overwrite replaces the projection; a delete removes the row.
            try await pool.transaction { connection in
                let key = IndexRowKey(storageID: 2, indexNo: 1, hash: 5, pk: g, sk: [2], tpk: Array("b".utf8))
                try await PostgresIndexRows.put(key, ItemRow(item: [9, 9], size: 2), on: connection, logger: TestPostgres.logger)
                try await PostgresIndexRows.delete(
                    IndexRowKey(storageID: 2, indexNo: 1, hash: 5, pk: g, sk: [1], tpk: Array("z".utf8)),
                    on: connection, logger: TestPostgres.logger)
            }
            let after = try await PostgresIndexRows.range(storageID: 2, indexNo: 1, hash: 5, pk: g, .all, limit: 100, pool: pool)
            #expect(label(after) == ["2a", "2b", "2c", "3a", "4a"])
            #expect(after[1].row == ItemRow(item: [9, 9], size: 2))
        }
    }

    @Test func backfillProgressIsSavedLoadedAndForgotten() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            #expect(try await PostgresBackfill.load(storageID: 1, indexNo: 3, pool: pool) == .none)
            let first = ScanPosition(hash: 10, pk: [1], sk: [])
            let second = ScanPosition(hash: 99, pk: [2, 3], sk: [4])
            for position in [first, second] {
                try await pool.transaction { connection in
                    try await PostgresBackfill.save(storageID: 1, indexNo: 3, position: position, on: connection, logger: TestPostgres.logger)
                }
            }
            #expect(try await PostgresBackfill.load(storageID: 1, indexNo: 3, pool: pool) == .after(second))
            try await pool.transaction { connection in
                try await PostgresBackfill.finish(storageID: 1, indexNo: 3, on: connection, logger: TestPostgres.logger)
            }
            #expect(try await PostgresBackfill.load(storageID: 1, indexNo: 3, pool: pool) == .none)
        }
    }
}
