import Testing

@testable import KVStore

/// Range statements are cached by `StatementKey` (the range's shape), not by their text: two
/// ranges on one table or index with equal shapes must have equal SQL text, or a Query would
/// run another shape's statement with its own values bound. (Two shapes may share a text: an
/// unbounded `.range` reads as `.all`; that costs a second statement, nothing else.)
@Suite struct StatementKeyTests {
    static let table = TransactionKeyRulesTests.table

    /// Every kind of range: both spans, every sort-key bound combination, with and without a
    /// start position, both directions, on the table and on its index.
    static var ranges: [ItemRange] {
        let sorts: [SortKeyBounds] =
            [.all, .equal([1])]
            + [nil, .inclusive([1]), .exclusive([1])].flatMap { lower in
                [nil, SortKeyBounds.Bound.inclusive([2]), .exclusive([2])].map { upper in
                    SortKeyBounds.range(lower: lower, upper: upper)
                }
            }
        let spans: [ItemRange.Span] = sorts.map { .partition(hash: 7, key: [1], sort: $0) } + [.hashSlice(low: 0, high: 9)]
        var ranges: [ItemRange] = []
        for index in [nil, table.globalIndexes.first] {
            for span in spans {
                for start in [nil, RangePosition(hash: 7, partition: [1], sort: [3])] {
                    for order in [KeyOrder.ascending, .descending] {
                        ranges.append(ItemRange(index: index, span: span, start: start, order: order))
                    }
                }
            }
        }
        return ranges
    }

    @Test func equalShapesHaveEqualText() {
        var textByKey: [StatementKey: String] = [:]
        for range in Self.ranges {
            let key = StatementKey(.range(ItemRangeSQL.shape(of: range)), table: Self.table, index: range.index)
            let text = ItemRangeSQL.text(of: range, table: Self.table)
            if let known = textByKey[key] { #expect(known == text, "shape \(key) has two texts") }
            textByKey[key] = text
        }
        // 11 bound kinds + a hash slice, x2 starts, x2 orders, x2 sources.
        #expect(textByKey.count == 12 * 2 * 2 * 2)
    }

    /// A range statement is reused as its last read left it (reset, bindings kept:
    /// `Connection.statementAsLeft`), so `bind` must set every parameter its text names, or a
    /// value of the previous range would stay bound. A statement of as many parameters shows
    /// which `bind` left NULL.
    @Test func bindSetsEveryParameterOfTheText() throws {
        let connection = try Connection(path: ":memory:", mode: .readWrite)
        for range in Self.ranges {
            let parameters = ItemRangeSQL.text(of: range, table: Self.table).filter { $0 == "?" }.count
            let statement = try connection.uncachedStatement(
                "SELECT " + Array(repeating: "?", count: parameters).joined(separator: ", "))
            try ItemRangeSQL.bind(range, to: statement)
            #expect(try statement.step())
            for column in 0..<Int32(parameters) {
                #expect(!statement.isNull(column), "\(range) leaves parameter \(column + 1) unbound")
            }
            statement.reset()
        }
    }

    @Test func fixedShapesOfOneTableDifferFromAnotherTablesAndIndexes() {
        var other = Self.table
        other.storageID = 2
        let index = Self.table.globalIndexes.first
        let keys: Set<StatementKey> = [
            StatementKey(.fetchItem, table: Self.table), StatementKey(.fetchItem, table: other),
            StatementKey(.upsertIndexRow, table: Self.table, index: index), StatementKey(.upsertIndexRow, table: Self.table),
        ]
        #expect(keys.count == 4)
    }
}
