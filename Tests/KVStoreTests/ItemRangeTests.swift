import Testing

@testable import KVStore

/// Range reads of the item storage port (`ItemRange`, `ItemStorage.withRows`) on the SQLite
/// adapter, at the edges: sort-key bounds as Query builds them from its key condition
/// (including begins_with on prefixes ending in 0xFF, which have no simple successor), both
/// directions, exclusive start positions, index rows with equal index keys (ordered by the
/// table key), and Scan's hash slices.
/// Each walk is checked against a reference: the stored keys sorted and filtered in Swift.
@Suite struct ItemRangeTests {
    /// Binary sort keys around the byte edges, in the byte order DynamoDB sorts B by.
    static let sortKeys: [[UInt8]] = [
        [0x00], [0x01], [0x61], [0x61, 0x00], [0x61, 0xFF], [0x61, 0xFF, 0xFF], [0x62], [0xFF], [0xFF, 0x00], [0xFF, 0xFF],
    ]

    /// A table `T` (pk S, sk B) holding `sortKeys` in partition "p" and one item in partition "other".
    static func binaryTable() async throws -> KVEngine {
        let engine = try await EngineTests.engine()
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "T",
                attributeDefinitions: [KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .binary)],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        // Written in reverse, so that an order by insertion would show.
        for sort in sortKeys.reversed() {
            _ = try await engine.putItem(PutItemRequest(tableName: "T", item: ["pk": .string("p"), "sk": .binary(sort)]))
        }
        _ = try await engine.putItem(PutItemRequest(tableName: "T", item: ["pk": .string("other"), "sk": .binary([0x61])]))
        return engine
    }

    /// The items `range` yields, in order.
    static func items(_ engine: KVEngine, _ table: String, _ range: ItemRange) async throws -> [Item] {
        let definition = try #require(engine.catalog.table(named: table))
        return try await #require(engine.storage.sqliteDatabase).read { connection in
            try ItemStore(table: definition, connection: connection).withRows(in: range) { rows in
                var items: [Item] = []
                while try rows.next() {
                    items.append(try rows.withItemBytes { try ItemCodec.decode($0) })
                }
                return items
            }
        }
    }

    static func binarySortKeys(_ engine: KVEngine, _ range: ItemRange) async throws -> [[UInt8]] {
        try await items(engine, "T", range).map { item in
            guard case .binary(let bytes)? = item["sk"] else { return [] }
            return bytes
        }
    }

    static func partitionP(_ bounds: SortKeyBounds, start: [UInt8]? = nil, _ order: KeyOrder) -> ItemRange {
        let partition = Array("p".utf8)
        let position = start.map { RangePosition(hash: PartitionHash.of(partition), partition: partition, sort: $0) }
        return ItemRange.partition(partition, sort: bounds, of: nil, start: position, order: order)
    }

    /// Key conditions and which of `sortKeys` each selects.
    static var conditions: [(KeyCondition.SortCondition?, ([UInt8]) -> Bool)] {
        [
            (nil, { _ in true }),
            (.equal(.binary([0x61, 0xFF])), { $0 == [0x61, 0xFF] }),
            (.less(.binary([0x61])), { $0.lexicographicallyPrecedes([0x61]) }),
            (.lessOrEqual(.binary([0x61])), { !([0x61] as [UInt8]).lexicographicallyPrecedes($0) }),
            (.greater(.binary([0xFF])), { ([0xFF] as [UInt8]).lexicographicallyPrecedes($0) }),
            (.greaterOrEqual(.binary([0xFF])), { !$0.lexicographicallyPrecedes([0xFF]) }),
            (
                .between(.binary([0x01]), .binary([0x61, 0xFF])),
                { !$0.lexicographicallyPrecedes([0x01]) && !([0x61, 0xFF] as [UInt8]).lexicographicallyPrecedes($0) }
            ),
            (.beginsWith(.binary([0x61])), { $0.starts(with: [0x61]) }),
            (.beginsWith(.binary([0x61, 0xFF])), { $0.starts(with: [0x61, 0xFF]) }),
            (.beginsWith(.binary([0xFF])), { $0.starts(with: [0xFF]) }),
            (.beginsWith(.binary([0xFF, 0xFF])), { $0.starts(with: [0xFF, 0xFF]) }),
            (.beginsWith(.binary([0x00])), { $0.starts(with: [0x00]) }),
        ]
    }

    @Test func sortKeyBoundsSelectTheirRowsInBothDirections() async throws {
        let engine = try await Self.binaryTable()
        defer { engine.shutdown() }
        let sortKey = KeyAttribute(name: "sk", type: .binary)
        for (condition, selects) in Self.conditions {
            let bounds = try KVEngine.sortBounds(condition, sortKey: sortKey)
            let expected = Self.sortKeys.filter(selects)
            #expect(try await Self.binarySortKeys(engine, Self.partitionP(bounds, .ascending)) == expected, "\(String(describing: condition))")
            #expect(
                try await Self.binarySortKeys(engine, Self.partitionP(bounds, .descending)) == expected.reversed(),
                "\(String(describing: condition)) descending")
        }
    }

    @Test func startPositionsAreExclusiveInEitherDirection() async throws {
        let engine = try await Self.binaryTable()
        defer { engine.shutdown() }
        let sortKey = KeyAttribute(name: "sk", type: .binary)
        for (condition, selects) in Self.conditions {
            let bounds = try KVEngine.sortBounds(condition, sortKey: sortKey)
            let selected = Self.sortKeys.filter(selects)
            // Every stored key as a start, and keys between and beyond them.
            for start in Self.sortKeys + [[0x61, 0x01], [0xFF, 0xFF, 0x00], []] {
                let after = selected.filter { start.lexicographicallyPrecedes($0) }
                let before = selected.filter { $0.lexicographicallyPrecedes(start) }.reversed()
                #expect(try await Self.binarySortKeys(engine, Self.partitionP(bounds, start: start, .ascending)) == after)
                #expect(try await Self.binarySortKeys(engine, Self.partitionP(bounds, start: start, .descending)) == Array(before))
            }
        }
    }

    @Test func beginsWithOnStringsEndingInTheHighestCodePoint() async throws {
        let engine = try await EngineTests.engine()
        defer { engine.shutdown() }
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "S",
                attributeDefinitions: [KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .string)],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        // U+10FFFF is F4 8F BF BF in UTF-8, the highest bytes a string can end in.
        let stored = ["a", "a\u{10FFFF}", "a\u{10FFFF}\u{10FFFF}", "a\u{10FFFF}z", "a\u{FFFF}", "b", "\u{10FFFF}"]
        for sort in stored {
            _ = try await engine.putItem(PutItemRequest(tableName: "S", item: ["pk": .string("p"), "sk": .string(sort)]))
        }
        let sortKey = KeyAttribute(name: "sk", type: .string)
        for prefix in ["a\u{10FFFF}", "\u{10FFFF}", "a", "a\u{FFFF}"] {
            let range = ItemRange.partition(
                Array("p".utf8), sort: try KVEngine.sortBounds(.beginsWith(.string(prefix)), sortKey: sortKey), of: nil)
            let found = try await Self.items(engine, "S", range).compactMap { item -> String? in
                guard case .string(let s)? = item["sk"] else { return nil }
                return s
            }
            let expected = stored.filter { $0.utf8.starts(with: prefix.utf8) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            #expect(found == expected, "begins_with \(prefix.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func indexRowsWithEqualIndexKeysComeInTableKeyOrder() async throws {
        let engine = try await EngineTests.engine()
        defer { engine.shutdown() }
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "G",
                attributeDefinitions: [
                    KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .binary), KeyAttribute(name: "g", type: .string),
                    KeyAttribute(name: "n", type: .number),
                ],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false,
                globalSecondaryIndexes: [
                    IndexRequest(
                        name: "byG",
                        keySchema: [KeySchemaElement(attributeName: "g", keyType: .hash), KeySchemaElement(attributeName: "n", keyType: .range)],
                        projectionKind: .keysOnly, nonKeyAttributes: nil, provisionedThroughput: nil)
                ]))
        // Six items share the index key (g, 7); two more sort before and after them.
        var tableKeys: [(String, [UInt8])] = []
        for pk in ["b", "a", "c"] {
            for sk: [UInt8] in [[0x02], [0xFF], [0x01]] where !(pk == "c" && sk == [0xFF]) {
                tableKeys.append((pk, sk))
            }
        }
        for (pk, sk) in tableKeys {
            _ = try await engine.putItem(
                PutItemRequest(tableName: "G", item: ["pk": .string(pk), "sk": .binary(sk), "g": .string("x"), "n": .number(Number(7))]))
        }
        for (sk, n) in [([0x00] as [UInt8], 6), ([0x03], 8)] {
            _ = try await engine.putItem(
                PutItemRequest(tableName: "G", item: ["pk": .string("z"), "sk": .binary(sk), "g": .string("x"), "n": .number(Number(n))]))
        }
        let table = try #require(engine.catalog.table(named: "G"))
        let index = try #require(table.index(named: "byG"))
        func keys(_ range: ItemRange) async throws -> [String] {
            try await Self.items(engine, "G", range).map { item in
                guard case .string(let pk)? = item["pk"], case .binary(let sk)? = item["sk"], case .number(let n)? = item["n"] else {
                    return "?"
                }
                return "\(n) \(pk) \(sk)"
            }
        }
        let equal = tableKeys.sorted { a, b in a.0 == b.0 ? a.1.lexicographicallyPrecedes(b.1) : a.0 < b.0 }.map { "7 \($0.0) \($0.1)" }
        let all = ["6 z [0]"] + equal + ["8 z [3]"]
        let partition = Array("x".utf8)
        let seven = try #require(KeyEncoding.encode(.number(Number(7))))
        #expect(try await keys(.partition(partition, of: index)) == all)
        #expect(try await keys(.partition(partition, of: index, order: .descending)) == all.reversed())
        #expect(try await keys(.partition(partition, sort: .equal(seven), of: index)) == equal)
        // Resuming after each row with the equal index key, in both directions.
        for (offset, key) in tableKeys.sorted(by: { a, b in a.0 == b.0 ? a.1.lexicographicallyPrecedes(b.1) : a.0 < b.0 }).enumerated() {
            let start = RangePosition(
                hash: PartitionHash.of(partition), partition: partition, sort: seven, tablePartition: Array(key.0.utf8), tableSort: key.1)
            #expect(try await keys(.partition(partition, of: index, start: start)) == Array(all.dropFirst(offset + 2)))
            #expect(
                try await keys(.partition(partition, of: index, start: start, order: .descending))
                    == Array(all.prefix(offset + 1).reversed()))
        }
    }

    @Test func hashSlicesCoverEveryRowOnceInKeyOrder() async throws {
        let engine = try await Self.binaryTable()
        defer { engine.shutdown() }
        for n in 0..<40 {
            _ = try await engine.putItem(PutItemRequest(tableName: "T", item: ["pk": .string("k\(n)"), "sk": .binary([UInt8(n)])]))
        }
        let table = try #require(engine.catalog.table(named: "T"))
        func positions(_ range: ItemRange) async throws -> [RangePosition] {
            try await Self.items(engine, "T", range).map { item in
                let key = try KeyValidator.keyOfItem(item, schema: table.keySchema)
                return RangePosition(hash: key.hash, partition: key.partition, sort: key.sort)
            }
        }
        func precedes(_ a: RangePosition, _ b: RangePosition) -> Bool {
            if a.hash != b.hash { return a.hash < b.hash }
            if a.partition != b.partition { return a.partition.lexicographicallyPrecedes(b.partition) }
            return a.sort.lexicographicallyPrecedes(b.sort)
        }
        let whole = try await positions(ItemRange(index: nil, span: .hashSlice(low: 0, high: 1 << 32), start: nil, order: .ascending))
        #expect(whole.count == Self.sortKeys.count + 41)
        #expect(whole == whole.sorted(by: precedes))
        var segments: [RangePosition] = []
        for segment in 0..<3 {
            let (low, high) = KVEngine.hashRange(segment: segment, of: 3)
            let part = try await positions(ItemRange(index: nil, span: .hashSlice(low: low, high: high), start: nil, order: .ascending))
            #expect(part.allSatisfy { (low..<high).contains($0.hash) })
            segments += part
        }
        #expect(segments == whole)
        // Resuming after any row gives exactly the rows after it; descending, the rows before.
        for (offset, start) in whole.enumerated() where offset % 5 == 0 {
            let after = try await positions(ItemRange(index: nil, span: .hashSlice(low: 0, high: 1 << 32), start: start, order: .ascending))
            #expect(after == Array(whole.dropFirst(offset + 1)))
            let before = try await positions(ItemRange(index: nil, span: .hashSlice(low: 0, high: 1 << 32), start: start, order: .descending))
            #expect(before == Array(whole.prefix(offset).reversed()))
        }
    }

    @Test func multiAttributeSortRangesAreHalfOpen() throws {
        let sortKeys = [KeyAttribute(name: "a", type: .string), KeyAttribute(name: "b", type: .string)]
        var request = QueryRequest(tableName: "T", partitionKeyValue: .string("p"))
        #expect(try KVEngine.multiAttributeSortBounds(request, sortKeys: sortKeys) == .all)
        request.sortKeyPrefix = [.string("x")]
        request.sortKeyCondition = .greater(.string("m"))
        let range = try #require(try KVEngine.sortRange(prefix: request.sortKeyPrefix, condition: request.sortKeyCondition, sortKeys: sortKeys))
        #expect(
            try KVEngine.multiAttributeSortBounds(request, sortKeys: sortKeys)
                == .range(lower: range.lower.map(SortKeyBounds.Bound.inclusive), upper: range.upper.map(SortKeyBounds.Bound.exclusive)))
    }

    @Test func prefixSuccessorSkipsTrailingFFBytes() {
        #expect(SortKeyBounds.prefixSuccessor([0x61]) == [0x62])
        #expect(SortKeyBounds.prefixSuccessor([0x61, 0xFF, 0xFF]) == [0x62])
        #expect(SortKeyBounds.prefixSuccessor([0xFF, 0xFF]) == nil)
        #expect(SortKeyBounds.prefixSuccessor([]) == nil)
        #expect(SortKeyBounds.prefixed(by: [0xFF]) == .range(lower: .inclusive([0xFF]), upper: nil))
    }
}
