import KVStorePostgres
import PostgresNIO
import Testing

/// The read-for-update + write primitive under contention, over separate pools (as separate
/// kvserver processes would be): each conditional claim wins exactly once, no update is lost.
@Suite(.timeLimit(.minutes(2))) struct ConditionalWriteTests {
    private static let unclaimed: [UInt8] = []

    @Test func everyRowIsClaimedExactlyOnceByManyWorkers() async throws {
        let rows = 200
        let workers = 16
        let settings = try await TestPostgres.freshDatabase()
        try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { pool in
            try await PostgresMigrator.migrate(pool)
            let items = PostgresItems(pool: pool)
            for row in 0..<rows {
                try await items.conditionalWrite(Self.key(row)) { _ in (.put(ItemRow(item: Self.unclaimed, size: 0)), ()) }
            }
        }
        // Two pools, as two kvserver processes; workers alternate between them.
        let claims = try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { first in
            try await PostgresPool.withRunning(settings: settings, logger: TestPostgres.logger) { second in
                try await withThrowingTaskGroup(of: [Int].self) { group in
                    for worker in 0..<workers {
                        let items = PostgresItems(pool: worker.isMultiple(of: 2) ? first : second)
                        group.addTask {
                            var won: [Int] = []
                            // Each worker walks all rows from its own start, so that they collide.
                            for step in 0..<rows {
                                let row = (step + worker * rows / workers) % rows
                                let claimed = try await items.conditionalWrite(Self.key(row)) { old in
                                    // The condition: the row exists and nobody owns it yet.
                                    guard let old, old.item == Self.unclaimed else { return (.keep, false) }
                                    return (.put(ItemRow(item: [UInt8(worker)], size: 1)), true)
                                }
                                if claimed { won.append(row) }
                            }
                            return won
                        }
                    }
                    var all: [Int] = []
                    for try await won in group { all += won }
                    return all
                }
            }
        }
        #expect(claims.count == rows)
        #expect(Set(claims).count == rows)
    }

    @Test func concurrentIncrementsLoseNoUpdate() async throws {
        let workers = 12
        let increments = 25
        try await TestPostgres.withMigratedDatabase { pool in
            let items = PostgresItems(pool: pool)
            let key = Self.key(1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        for _ in 0..<increments {
                            try await items.conditionalWrite(key) { old in
                                // The first writer finds no item: concurrent first writers race to insert.
                                let count = old.map { Self.counter($0.item) } ?? 0
                                return (.put(ItemRow(item: Self.bytes(count + 1), size: 8)), ())
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try #require(try await items.read(key))
            #expect(Self.counter(final.item) == workers * increments)
        }
    }

    @Test func onlyOneOfManyCreatorsOfANewKeySucceeds() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let items = PostgresItems(pool: pool)
            let key = Self.key(42)
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for creator in 0..<16 {
                    group.addTask {
                        // attribute_not_exists(pk): put only if there is no item yet.
                        try await items.conditionalWrite(key) { old in
                            old == nil ? (.put(ItemRow(item: [UInt8(creator)], size: 1)), true) : (.keep, false)
                        }
                    }
                }
                var winners = 0
                for try await won in group where won { winners += 1 }
                return winners
            }
            #expect(winners == 1)
        }
    }

    @Test func deletesAndReadsBack() async throws {
        try await TestPostgres.withMigratedDatabase { pool in
            let items = PostgresItems(pool: pool)
            let key = Self.key(5)
            try await items.conditionalWrite(key) { _ in (.put(ItemRow(item: [9, 9], size: 2)), ()) }
            #expect(try await items.read(key) == ItemRow(item: [9, 9], size: 2))
            let existed = try await items.conditionalWrite(key) { old in (.delete, old != nil) }
            #expect(existed)
            #expect(try await items.read(key) == nil)
            // Deleting what is not there is a no-op, as DeleteItem on a missing key.
            let again = try await items.conditionalWrite(key) { old in (.delete, old != nil) }
            #expect(!again)
        }
    }

    private static func key(_ row: Int) -> RowKey {
        RowKey(storageID: 1, hash: Int64(row % 7), pk: Array("row\(row)".utf8))
    }

    private static func bytes(_ value: Int) -> [UInt8] {
        withUnsafeBytes(of: Int64(value).bigEndian, Array.init)
    }

    private static func counter(_ bytes: [UInt8]) -> Int {
        Int(bytes.reduce(Int64(0)) { $0 << 8 | Int64($1) })
    }
}
