import Synchronization
import Testing

@testable import KVStore

/// The reader pool opens each thread's connection at its first read (start-up opens none:
/// README, "Where the time to the first answer goes").
@Suite("Storage: ReaderPool")
struct ReaderPoolTests {
    struct OpenRefused: Error, Equatable {}

    final class Opens: Sendable {
        let count = Mutex(0)
    }

    private static func read(_ pool: ReaderPool) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            pool.submit(
                WorkerJob(.read, { connection in
                    let statement = try connection.statement("SELECT 41 + 1")
                    defer { statement.reset() }
                    _ = try statement.step()
                    return statement.int64(0)
                }, continuation))
        }
    }

    @Test func connectionsOpenAtTheFirstReadAndAFailedOpenIsRetried() async throws {
        let opens = Opens()
        let pool = try ReaderPool(count: 1, owner: WorkerThread.newOwner()) {
            let attempt = opens.count.withLock { count in
                count += 1
                return count
            }
            if attempt == 1 { throw OpenRefused() }
            return try Connection(path: ":memory:", mode: .readWrite)
        }
        defer {
            pool.stop()
            pool.waitUntilExited()
        }
        #expect(opens.count.withLock { $0 } == 0)
        // The read that could not open its connection gets open's error...
        await #expect(throws: OpenRefused.self) { try await Self.read(pool) }
        // ...and the next one opens it and runs; later ones reuse it.
        #expect(try await Self.read(pool) == 42)
        #expect(try await Self.read(pool) == 42)
        #expect(opens.count.withLock { $0 } == 2)
    }
}
