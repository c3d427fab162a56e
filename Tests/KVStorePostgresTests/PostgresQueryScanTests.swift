import KVStore
import KVStorePostgres
import Logging
import Testing

/// Query and Scan on PostgreSQL through the engine (the seam's range read,
/// `PostgresExternalItems.rows(in:limit:)`), checked against SQLite: the same items written to an
/// engine on each, then the same requests, every page compared (items, Count, ScannedCount,
/// LastEvaluatedKey, consumed capacity), paginating each request to its end. SQLite's answers are
/// the reference (they are DynamoDB's, by the rest of the suite).
@Suite struct PostgresQueryScanTests {
    typealias SortCondition = KeyCondition.SortCondition

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// Table "Q": pk S, sk N; LSI "by-rank" (pk, rank N, INCLUDE a), GSI "by-group" (group S,
    /// rank N, ALL), GSI "by-tag" (tag S, KEYS_ONLY, sparse). Ranks repeat, so index rows with
    /// equal index keys are ordered by the table key.
    static func createQ(_ engine: KVEngine) async throws {
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "Q",
                attributeDefinitions: [
                    KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .number),
                    KeyAttribute(name: "rank", type: .number), KeyAttribute(name: "group", type: .string),
                    KeyAttribute(name: "tag", type: .string),
                ],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false,
                globalSecondaryIndexes: [
                    IndexRequest(
                        name: "by-group",
                        keySchema: [
                            KeySchemaElement(attributeName: "group", keyType: .hash),
                            KeySchemaElement(attributeName: "rank", keyType: .range),
                        ],
                        projectionKind: .all, nonKeyAttributes: nil, provisionedThroughput: nil),
                    IndexRequest(
                        name: "by-tag", keySchema: [KeySchemaElement(attributeName: "tag", keyType: .hash)],
                        projectionKind: .keysOnly, nonKeyAttributes: nil, provisionedThroughput: nil),
                ],
                localSecondaryIndexes: [
                    IndexRequest(
                        name: "by-rank",
                        keySchema: [
                            KeySchemaElement(attributeName: "pk", keyType: .hash),
                            KeySchemaElement(attributeName: "rank", keyType: .range),
                        ],
                        projectionKind: .include, nonKeyAttributes: ["a"], provisionedThroughput: nil)
                ]))
        for partition in 0..<4 {
            for sort in 0..<60 {
                var item: Item = [
                    "pk": .string("p\(partition)"), "sk": .number(Number(sort)), "rank": .number(Number((sort * 7) % 23)),
                    "group": .string("g\(sort % 3)"), "a": .string(String(repeating: "a", count: sort % 9)),
                    "b": .string("b\(sort)"),
                ]
                if sort % 4 == 0 { item["tag"] = .string("t\(sort % 8)") }
                _ = try await engine.putItem(PutItemRequest(tableName: "Q", item: item))
            }
        }
    }

    /// Table "B": pk S, sk B, sort keys around the byte edges (prefixes of only 0xFF have no
    /// successor), in partition "p".
    static let binarySortKeys: [[UInt8]] = [
        [0x00], [0x01], [0x61], [0x61, 0x00], [0x61, 0xFF], [0x61, 0xFF, 0xFF], [0x62], [0xFF], [0xFF, 0x00], [0xFF, 0xFF],
    ]

    static func createB(_ engine: KVEngine) async throws {
        _ = try await engine.createTable(
            CreateTableRequest(
                tableName: "B",
                attributeDefinitions: [KeyAttribute(name: "pk", type: .string), KeyAttribute(name: "sk", type: .binary)],
                keySchema: [KeySchemaElement(attributeName: "pk", keyType: .hash), KeySchemaElement(attributeName: "sk", keyType: .range)],
                billingMode: .payPerRequest, provisionedThroughput: nil, deletionProtection: false))
        for sort in binarySortKeys.reversed() {
            _ = try await engine.putItem(PutItemRequest(tableName: "B", item: ["pk": .string("p"), "sk": .binary(sort)]))
        }
        _ = try await engine.putItem(PutItemRequest(tableName: "B", item: ["pk": .string("other"), "sk": .binary([0x61])]))
    }

    /// `body` with an engine on SQLite (in memory) and one on a fresh PostgreSQL database,
    /// both holding tables Q and B.
    static func withEngines(_ body: @Sendable (KVEngine, KVEngine) async throws -> Void) async throws {
        let sqlite = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger)
        defer { sqlite.shutdown() }
        let settings = try await TestPostgres.freshDatabase()
        let backend = PostgresExternalBackend(pool: PostgresPool(settings: settings, logger: TestPostgres.logger), callTimeout: .seconds(20))
        do {
            try await PostgresMigrator.migrate(backend.runner.pool)
            let postgres = try await KVEngine(configuration: EngineConfiguration(dataDirectory: nil), logger: logger, backend: backend)
            for engine in [sqlite, postgres] {
                try await createQ(engine)
                try await createB(engine)
            }
            try await body(sqlite, postgres)
        } catch {
            await backend.close()
            throw error
        }
        await backend.close()
    }

    /// One page as compared: what a client sees of it.
    struct Page: Equatable, CustomStringConvertible {
        var items: [Item]
        var count: Int
        var scannedCount: Int
        var lastEvaluatedKey: Item?
        var capacity: ConsumedCapacity?

        init(_ page: ReadPage) throws {
            items = page.storedItems.isEmpty ? page.items : try page.storedItems.decoded()
            count = page.count
            scannedCount = page.scannedCount
            lastEvaluatedKey = page.lastEvaluatedKey
            capacity = page.consumedCapacity
        }

        var description: String {
            "\(items.count) items, Count \(count), ScannedCount \(scannedCount), LastEvaluatedKey \(String(describing: lastEvaluatedKey))"
        }
    }

    /// Every page of a paginated read, `read` called with each page's ExclusiveStartKey.
    static func pages(_ read: (Item?) async throws -> ReadPage) async throws -> [Page] {
        var pages: [Page] = []
        var start: Item?
        repeat {
            let page = try await read(start)
            pages.append(try Page(page))
            start = page.lastEvaluatedKey
        } while start != nil && pages.count < 500
        return pages
    }

    static func expectSame(
        _ sqlite: KVEngine, _ postgres: KVEngine, _ what: String, _ read: @Sendable (KVEngine, Item?) async throws -> ReadPage
    ) async throws {
        let expected = try await pages { try await read(sqlite, $0) }
        let got = try await pages { try await read(postgres, $0) }
        #expect(got == expected, "\(what): PostgreSQL \(got) vs SQLite \(expected)")
    }

    static let conditions: [SortCondition?] = [
        nil, .equal(.number(Number(5))), .less(.number(Number(10))), .lessOrEqual(.number(Number(10))),
        .greater(.number(Number(50))), .greaterOrEqual(.number(Number(50))),
        .between(.number(Number(10)), .number(Number(20))),
    ]

    static let rankFilter: @Sendable (Item) -> Bool = { item in
        if case .number(let rank)? = item["rank"] { return rank > Number(10) }
        return false
    }

    static let keepA: @Sendable (Item) -> Item = { item in item.filter { ["pk", "sk", "a"].contains($0.key) } }

    @Test func tableQueriesMatchSQLite() async throws {
        try await Self.withEngines { sqlite, postgres in
            for condition in Self.conditions {
                for forward in [true, false] {
                    for limit in [nil, 1, 7, 60, 100] as [Int?] {
                        try await Self.expectSame(sqlite, postgres, "Query \(String(describing: condition)) \(forward) \(String(describing: limit))") {
                            engine, start in
                            try await engine.query(
                                QueryRequest(
                                    tableName: "Q", partitionKeyValue: .string("p1"), sortKeyCondition: condition,
                                    scanIndexForward: forward,
                                    options: ReadOptions(limit: limit, exclusiveStartKey: start, consistentRead: limit == 7)))
                        }
                    }
                }
            }
            // Filters, projections, COUNT, items as stored, a missing partition.
            let variants: [(String, ReadOptions)] = [
                ("filter", ReadOptions(filter: Self.rankFilter, limit: 9)),
                ("projection", ReadOptions(projection: Self.keepA, projectedAttributes: ["pk", "sk", "a"], limit: 11)),
                ("count", ReadOptions(select: .count, limit: 13)),
                ("count filtered", ReadOptions(filter: Self.rankFilter, select: .count)),
                ("stored", ReadOptions(limit: 17, returnsStoredItems: true)),
            ]
            for (what, options) in variants {
                for forward in [true, false] {
                    try await Self.expectSame(sqlite, postgres, "Query \(what) \(forward)") { engine, start in
                        var options = options
                        options.exclusiveStartKey = start
                        return try await engine.query(
                            QueryRequest(tableName: "Q", partitionKeyValue: .string("p2"), scanIndexForward: forward, options: options))
                    }
                }
            }
            try await Self.expectSame(sqlite, postgres, "Query of an empty partition") { engine, start in
                try await engine.query(
                    QueryRequest(tableName: "Q", partitionKeyValue: .string("none"), options: ReadOptions(exclusiveStartKey: start)))
            }
        }
    }

    @Test func binarySortKeyBoundsMatchSQLite() async throws {
        try await Self.withEngines { sqlite, postgres in
            let prefixes: [[UInt8]] = [[0x61], [0x61, 0xFF], [0xFF], [0xFF, 0xFF], [0x00]]
            var conditions: [SortCondition] = prefixes.map { .beginsWith(.binary($0)) }
            for key in Self.binarySortKeys {
                conditions += [.equal(.binary(key)), .less(.binary(key)), .lessOrEqual(.binary(key)), .greater(.binary(key)), .greaterOrEqual(.binary(key))]
            }
            conditions += [.between(.binary([0x61]), .binary([0xFF])), .between(.binary([0x61, 0xFF]), .binary([0xFF, 0x00]))]
            for condition in conditions {
                for forward in [true, false] {
                    for limit in [nil, 2] as [Int?] {
                        try await Self.expectSame(sqlite, postgres, "binary \(condition) \(forward) \(String(describing: limit))") {
                            engine, start in
                            try await engine.query(
                                QueryRequest(
                                    tableName: "B", partitionKeyValue: .string("p"), sortKeyCondition: condition, scanIndexForward: forward,
                                    options: ReadOptions(limit: limit, exclusiveStartKey: start)))
                        }
                    }
                }
            }
        }
    }

    @Test func indexQueriesMatchSQLite() async throws {
        try await Self.withEngines { sqlite, postgres in
            let rankConditions: [SortCondition?] = [
                nil, .equal(.number(Number(7))), .between(.number(Number(3)), .number(Number(12))), .greater(.number(Number(20))),
            ]
            for condition in rankConditions {
                for forward in [true, false] {
                    for limit in [nil, 1, 5] as [Int?] {
                        let what = "\(String(describing: condition)) \(forward) \(String(describing: limit))"
                        // The local index (a partition of the table), strongly consistent or not.
                        try await Self.expectSame(sqlite, postgres, "LSI \(what)") { engine, start in
                            try await engine.query(
                                QueryRequest(
                                    tableName: "Q", partitionKeyValue: .string("p3"), sortKeyCondition: condition,
                                    scanIndexForward: forward,
                                    options: ReadOptions(
                                        indexName: "by-rank", limit: limit, exclusiveStartKey: start, consistentRead: limit == 5)))
                        }
                        // The global index: one group spans every table partition.
                        try await Self.expectSame(sqlite, postgres, "GSI \(what)") { engine, start in
                            try await engine.query(
                                QueryRequest(
                                    tableName: "Q", partitionKeyValue: .string("g1"), sortKeyCondition: condition,
                                    scanIndexForward: forward,
                                    options: ReadOptions(indexName: "by-group", limit: limit, exclusiveStartKey: start)))
                        }
                    }
                }
            }
            // A local index whose projection lacks what is asked for reads the item from the table.
            for select in [Select.allAttributes, .allProjectedAttributes, .count] {
                try await Self.expectSame(sqlite, postgres, "LSI Select \(select)") { engine, start in
                    try await engine.query(
                        QueryRequest(
                            tableName: "Q", partitionKeyValue: .string("p0"),
                            options: ReadOptions(indexName: "by-rank", select: select, limit: 8, exclusiveStartKey: start)))
                }
            }
            try await Self.expectSame(sqlite, postgres, "LSI projecting b (not projected)") { engine, start in
                try await engine.query(
                    QueryRequest(
                        tableName: "Q", partitionKeyValue: .string("p0"), scanIndexForward: false,
                        options: ReadOptions(
                            indexName: "by-rank", projection: { $0.filter { ["b", "rank"].contains($0.key) } },
                            projectedAttributes: ["b", "rank"], limit: 6, exclusiveStartKey: start)))
            }
            // A hash-only, sparse, KEYS_ONLY global index.
            for limit in [nil, 3] as [Int?] {
                try await Self.expectSame(sqlite, postgres, "GSI by-tag \(String(describing: limit))") { engine, start in
                    try await engine.query(
                        QueryRequest(
                            tableName: "Q", partitionKeyValue: .string("t4"),
                            options: ReadOptions(indexName: "by-tag", limit: limit, exclusiveStartKey: start)))
                }
            }
        }
    }

    @Test func scansMatchSQLite() async throws {
        try await Self.withEngines { sqlite, postgres in
            for index in [nil, "by-rank", "by-group", "by-tag"] as [String?] {
                for limit in [nil, 1, 13, 250] as [Int?] {
                    try await Self.expectSame(sqlite, postgres, "Scan \(String(describing: index)) \(String(describing: limit))") {
                        engine, start in
                        try await engine.scan(
                            ScanRequest(tableName: "Q", options: ReadOptions(indexName: index, limit: limit, exclusiveStartKey: start)))
                    }
                }
                // Parallel segments, each paginated, together every row once (as on SQLite).
                for segment in 0..<3 {
                    try await Self.expectSame(sqlite, postgres, "Scan \(String(describing: index)) segment \(segment)") {
                        engine, start in
                        try await engine.scan(
                            ScanRequest(
                                tableName: "Q", segment: segment, totalSegments: 3,
                                options: ReadOptions(indexName: index, limit: 17, exclusiveStartKey: start)))
                    }
                }
            }
            let variants: [(String, ReadOptions)] = [
                ("filter", ReadOptions(filter: Self.rankFilter, limit: 40)),
                ("projection", ReadOptions(projection: Self.keepA, projectedAttributes: ["pk", "sk", "a"])),
                ("count", ReadOptions(select: .count)),
                ("count filtered", ReadOptions(filter: Self.rankFilter, select: .count, limit: 100)),
                ("stored", ReadOptions(limit: 70, returnsStoredItems: true)),
                ("consistent", ReadOptions(limit: 30, consistentRead: true)),
            ]
            for (what, options) in variants {
                try await Self.expectSame(sqlite, postgres, "Scan \(what)") { engine, start in
                    var options = options
                    options.exclusiveStartKey = start
                    return try await engine.scan(ScanRequest(tableName: "Q", options: options))
                }
            }
            try await Self.expectSame(sqlite, postgres, "Scan B") { engine, start in
                try await engine.scan(ScanRequest(tableName: "B", options: ReadOptions(limit: 3, exclusiveStartKey: start)))
            }
        }
    }

    @Test func pagesSeeOneSnapshotAndFollowWrites() async throws {
        try await Self.withEngines { _, postgres in
            // A full page of 240 items spans batches; it is complete and in order.
            let page = try await postgres.scan(ScanRequest(tableName: "Q"))
            #expect(page.count == 240)
            #expect(page.lastEvaluatedKey == nil)
            // Writes since are seen by the next read; deleted items are gone from table and indexes.
            _ = try await postgres.deleteItem(DeleteItemRequest(tableName: "Q", key: ["pk": .string("p1"), "sk": .number(Number(4))]))
            let after = try await postgres.query(
                QueryRequest(tableName: "Q", partitionKeyValue: .string("t4"), options: ReadOptions(indexName: "by-tag")))
            #expect(!after.items.contains { $0["pk"] == .string("p1") && $0["sk"] == .number(Number(4)) })
            #expect(after.count == 27)  // 7 tagged t4 in each of 4 partitions (sk 4, 12, ..., 52), one deleted
            // A missing table is ResourceNotFoundException, as on SQLite.
            _ = try await postgres.deleteTable("B")
            await #expect(throws: KVError.self) {
                try await postgres.query(QueryRequest(tableName: "B", partitionKeyValue: .string("p")))
            }
        }
    }
}
