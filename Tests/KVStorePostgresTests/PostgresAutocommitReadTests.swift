import Dispatch
import Foundation
import KVStorePostgres
import NIOConcurrencyHelpers
import PostgresNIO
import Testing

/// `.read` bodies without BEGIN (`PostgresTransactionOpening`): one statement runs on its own
/// (its own snapshot); a body that asks for a second statement is run again whole inside one
/// `REPEATABLE READ READ ONLY` transaction, so no read of several statements ever mixes two
/// committed states.
@Suite(.timeLimit(.minutes(2))) struct PostgresAutocommitReadTests {
    private let a = RowKey(storageID: 1, hash: 1, pk: Array("a".utf8))
    private let b = RowKey(storageID: 1, hash: 2, pk: Array("b".utf8))

    /// The isolation level the statement runs under: READ COMMITTED outside a transaction
    /// (the server's default), REPEATABLE READ inside the runner's read transaction.
    private static func isolation(_ transaction: PostgresBlockingTransaction) throws -> String {
        try transaction.run("isolation") { connection, logger in
            var level = ""
            let rows = try await connection.query("SELECT current_setting('transaction_isolation')", logger: logger)
            for try await value in rows.decode(String.self) { level = value }
            return level
        }
    }

    @Test func oneStatementRunsWithoutATransactionAndASecondRunsTheBodyAgainInOne() async throws {
        try await TestPostgres.withRunner { runner in
            let runs = NIOLockedValueBox(0)
            let single = try await runner.run(.read) { transaction in
                runs.withLockedValue { $0 += 1 }
                return try Self.isolation(transaction)
            }
            #expect(single == "read committed")
            #expect(runs.withLockedValue { $0 } == 1)

            runs.withLockedValue { $0 = 0 }
            let levels = try await runner.run(.read) { transaction in
                runs.withLockedValue { $0 += 1 }
                return [try Self.isolation(transaction), try Self.isolation(transaction)]
            }
            #expect(levels == ["repeatable read", "repeatable read"])
            #expect(runs.withLockedValue { $0 } == 2)

            // A body that swallows the refusal still runs again; its first answer is dropped.
            runs.withLockedValue { $0 = 0 }
            let swallowed = try await runner.run(.read) { transaction in
                let run = runs.withLockedValue { $0 += 1; return $0 }
                let first = try Self.isolation(transaction)
                let second = try? Self.isolation(transaction)
                return "\(run) \(first) \(second ?? "refused")"
            }
            #expect(swallowed == "2 repeatable read repeatable read")

            // A body with no statement sends nothing and runs once.
            #expect(try await runner.run(.read) { _ in 7 } == 7)
            // A write call is sent inside the READ ONLY transaction, never on its own: refused.
            await #expect(throws: PSQLError.self) {
                try await runner.run(.read) { [a] transaction in
                    try transaction.apply(.put(CounterItem.row(1)), at: a, replacing: nil)
                }
            }
            let key = a
            let stored = try await runner.run(.read) { transaction in try transaction.read(key) }
            #expect(stored == nil)
        }
    }

    /// A writer moves two items together (both always hold the same value, in one transaction
    /// each); readers read both in one body, again and again, and must never see them differ.
    @Test func aTwoItemReadNeverSeesATornState() async throws {
        try await TestPostgres.withRunner { [a, b] runner in
            try await runner.run(.write()) { transaction in
                try transaction.apply(.put(CounterItem.row(0)), at: a, replacing: nil)
                try transaction.apply(.put(CounterItem.row(0)), at: b, replacing: nil)
            }
            let stop = TestFlag()
            let writer = Task {
                var value: Int64 = 0
                while !stop.isSet {
                    value += 1
                    let next = value
                    try await runner.run(.write()) { transaction in
                        try transaction.apply(.put(CounterItem.row(next)), at: a, replacing: try transaction.readForUpdate(a))
                        try transaction.apply(.put(CounterItem.row(next)), at: b, replacing: try transaction.readForUpdate(b))
                    }
                }
                return value
            }
            var torn = 0
            var distinct = Set<Int64>()
            for _ in 0..<300 {
                let (first, second) = try await runner.run(.read) { transaction in
                    (CounterItem.value(try transaction.read(a)), CounterItem.value(try transaction.read(b)))
                }
                if first != second { torn += 1 }
                if let first { distinct.insert(first) }
            }
            stop.set()
            let writes = try await writer.value
            #expect(torn == 0)
            // The reads overlapped the writes (not all one state).
            #expect(writes > 1)
            #expect(distinct.count > 1)
        }
    }
}
