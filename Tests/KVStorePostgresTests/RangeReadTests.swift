import KVStore
import KVStorePostgres
import Testing

/// Query's range reads: key conditions as byte ranges, both directions, pages resumed from the
/// last key, nothing from another partition.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
@Suite(.timeLimit(.minutes(2))) struct RangeReadTests {
    @Test func readsANumberRangeBothWaysInPages() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let items = PostgresItems(pool: pool)
            let partition = RowKey(storageID: 3, hash: 11, pk: Array("p".utf8))
            for n in [-3, 1, 2, 5, 7, 10, 11, 20, 100] {
                try await items.conditionalWrite(Self.key(partition, n)) { _ in (.put(ItemRow(item: [UInt8(n & 0xFF)], size: 1)), ()) }
            }
            // Another partition's items never show.
            let other = RowKey(storageID: 3, hash: 11, pk: Array("q".utf8))
            try await items.conditionalWrite(Self.key(other, 6)) { _ in (.put(ItemRow(item: [6], size: 1)), ()) }

            // sk BETWEEN 2 AND 11
            let between = SortKeyRange(lower: try Self.bytes(2), upper: SortKeyRange.after(try Self.bytes(11)))
            #expect(try await Self.numbers(items.range(partition: partition, between, limit: 100)) == [2, 5, 7, 10, 11])
            #expect(try await Self.numbers(items.range(partition: partition, between, forward: false, limit: 100)) == [11, 10, 7, 5, 2])

            // Pages of two, resumed after the last key, forward and backward.
            for forward in [true, false] {
                var range = between
                var seen: [Int] = []
                while true {
                    let page = try await items.range(partition: partition, range, forward: forward, limit: 2)
                    seen += try Self.numbers(page)
                    guard page.count == 2, let last = page.last else { break }
                    range = range.resuming(after: last.sk, forward: forward)
                }
                #expect(seen == (forward ? [2, 5, 7, 10, 11] : [11, 10, 7, 5, 2]))
            }

            // sk > 10, and sk < 2 (an exclusive lower bound is the inclusive one after it).
            let above = SortKeyRange(lower: SortKeyRange.after(try Self.bytes(10)))
            #expect(try await Self.numbers(items.range(partition: partition, above, limit: 100)) == [11, 20, 100])
            let below = SortKeyRange(upper: try Self.bytes(2))
            #expect(try await Self.numbers(items.range(partition: partition, below, forward: false, limit: 100)) == [1, -3])
            #expect(try await items.range(partition: partition, .all, limit: 100).count == 9)
        }
    }

    @Test func beginsWithIsAPrefixRange() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let items = PostgresItems(pool: pool)
            let partition = RowKey(storageID: 4, hash: 1, pk: Array("p".utf8))
            for sk in ["a", "ab", "ab#1", "ab\u{7F}", "abé", "ac", "b"] {
                let key = RowKey(storageID: 4, hash: 1, pk: partition.pk, sk: Array(sk.utf8))
                try await items.conditionalWrite(key) { _ in (.put(ItemRow(item: [], size: 0)), ()) }
            }
            let found = try await items.range(partition: partition, SortKeyRange.prefixed(Array("ab".utf8)), limit: 100)
            #expect(found.map { String(decoding: $0.sk, as: UTF8.self) } == ["ab", "ab#1", "ab\u{7F}", "abé"])
            #expect(SortKeyRange.prefixed([0x61, 0xFF]) == SortKeyRange(lower: [0x61, 0xFF], upper: [0x62]))
            #expect(SortKeyRange.prefixed([0xFF, 0xFF]) == SortKeyRange(lower: [0xFF, 0xFF], upper: nil))
        }
    }

    private static func bytes(_ n: Int) throws -> [UInt8] {
        try #require(KeyEncoding.encode(.number(Number(n))))
    }

    private static func key(_ partition: RowKey, _ n: Int) throws -> RowKey {
        RowKey(storageID: partition.storageID, hash: partition.hash, pk: partition.pk, sk: try bytes(n))
    }

    private static func numbers(_ rows: [(sk: [UInt8], item: ItemRow)]) throws -> [Int] {
        var numbers: [Int] = []
        let known = try Dictionary(uniqueKeysWithValues: [-3, 1, 2, 5, 6, 7, 10, 11, 20, 100].map { (try bytes($0), $0) })
        for row in rows { numbers.append(try #require(known[row.sk])) }
        return numbers
    }
}
