import KVStorePostgres
import Testing

/// Scan pages in `(h, pk, sk)` order, resumed from the last row, and parallel-scan segments as
/// hash ranges. See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan
@Suite(.timeLimit(.minutes(2))) struct ScanTests {
    @Test func pagesWalkTheTableInHashKeyOrderAndSegmentsSplitIt() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let items = PostgresItems(pool: pool)
            var keys: [RowKey] = []
            for index in 0..<30 {
                let hash = Int64((index * 7919) % 1000)
                keys.append(RowKey(storageID: 5, hash: hash, pk: Array("p\(index % 4)".utf8), sk: [UInt8(index)]))
            }
            for key in keys {
                try await items.conditionalWrite(key) { _ in (.put(ItemRow(item: key.sk, size: 1)), ()) }
            }
            try await items.conditionalWrite(RowKey(storageID: 6, hash: 1, pk: [1])) { _ in (.put(ItemRow(item: [], size: 0)), ()) }
            let expected = keys.map { ScanPosition(hash: $0.hash, pk: $0.pk, sk: $0.sk) }.sorted { a, b in
                if a.hash != b.hash { return a.hash < b.hash }
                if a.pk != b.pk { return a.pk.lexicographicallyPrecedes(b.pk) }
                return a.sk.lexicographicallyPrecedes(b.sk)
            }

            var seen: [ScanPosition] = []
            var after: ScanPosition?
            while true {
                let page = try await items.scan(storageID: 5, after: after, limit: 7)
                seen += page.map(\.position)
                guard page.count == 7 else { break }
                after = page.last?.position
            }
            #expect(seen == expected)

            // Two segments: disjoint, together the whole table.
            let low = try await items.scan(storageID: 5, hashes: 0...499, after: nil, limit: 100).map(\.position)
            let high = try await items.scan(storageID: 5, hashes: 500...999, after: nil, limit: 100).map(\.position)
            #expect(low.allSatisfy { $0.hash <= 499 })
            #expect(high.allSatisfy { $0.hash >= 500 })
            #expect(low + high == expected)
        }
    }
}
