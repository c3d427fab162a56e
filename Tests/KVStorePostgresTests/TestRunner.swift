import Dispatch
import KVStorePostgres
import NIOConcurrencyHelpers

extension TestPostgres {
    /// `body` with a transaction runner over a running pool on a fresh, migrated database.
    @discardableResult
    static func withRunner<Result: Sendable>(
        threads: Int = 8, _ body: @Sendable (PostgresTransactionRunner) async throws -> Result
    ) async throws -> Result {
        try await withMigratedDatabase { pool in
            let runner = PostgresTransactionRunner(pool: pool, threads: threads, callTimeout: .seconds(20))
            do {
                let result = try await body(runner)
                try await runner.shutdown()
                return result
            } catch {
                try? await runner.shutdown()
                throw error
            }
        }
    }
}

/// Counter item bytes: a value as 8 big-endian bytes.
enum CounterItem {
    static func row(_ value: Int64) -> ItemRow {
        ItemRow(item: withUnsafeBytes(of: value.bigEndian) { Array($0) }, size: 8)
    }

    static func value(_ bytes: [UInt8]?) -> Int64? {
        guard let bytes, bytes.count == 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | Int64($1) }
    }

    static func value(_ row: ItemRow?) -> Int64? {
        value(row?.item)
    }
}

/// A flag set on one thread and awaited in a task (polling: tasks must not block).
final class TestFlag: Sendable {
    private let value = NIOLockedValueBox(false)

    func set() { value.withLockedValue { $0 = true } }

    var isSet: Bool { value.withLockedValue { $0 } }

    func awaitSet() async throws {
        while !isSet { try await Task.sleep(for: .milliseconds(2)) }
    }
}

/// A value carried out of a transaction body for a test's inspection only.
struct Smuggled<Value>: @unchecked Sendable {
    let value: Value
}

/// A counter for synchronous code on any thread.
final class LockedCounter: Sendable {
    private let count = NIOLockedValueBox(0)

    func next() -> Int { count.withLockedValue { $0 += 1; return $0 } }

    var value: Int { count.withLockedValue { $0 } }
}
