import Dispatch
import Foundation
import KVStorePostgres
import NIOConcurrencyHelpers
import NIOPosix
import PostgresNIO
import Testing

/// The synchronous transaction handle: bodies on the runner's own threads, one PostgreSQL
/// transaction each, committed on return and rolled back on a throw, conflicts as
/// `PostgresConflict`, and blocking calls refused where they could deadlock.
@Suite(.timeLimit(.minutes(2))) struct PostgresTransactionRunnerTests {
    private let a = RowKey(storageID: 1, hash: 1, pk: Array("a".utf8))
    private let b = RowKey(storageID: 1, hash: 2, pk: Array("b".utf8))

    @Test func aBodyCommitsOnReturnAndRollsBackOnAThrow() async throws {
        try await TestPostgres.withRunner { [a, b] runner in
            try await runner.run(.write()) { transaction in
                let old = try transaction.readForUpdate(a)
                try transaction.apply(.put(CounterItem.row(1)), at: a, replacing: old)
            }
            await #expect(throws: TestPostgresError.self) {
                try await runner.run(.write()) { transaction in
                    try transaction.apply(.put(CounterItem.row(2)), at: b, replacing: nil)
                    throw TestPostgresError("the body failed")
                }
            }
            let (first, second) = try await runner.run(.read) { transaction in
                (CounterItem.value(try transaction.read(a)), CounterItem.value(try transaction.read(b)))
            }
            #expect(first == 1)
            #expect(second == nil)
        }
    }

    @Test func aReadTransactionSeesOneSnapshotAndCannotWrite() async throws {
        try await TestPostgres.withRunner { [a] runner in
            try await runner.writeItem(a) { _, old in (PostgresChangeSet(key: a, old: old, write: .put(CounterItem.row(1))), ()) }
            let runs = NIOLockedValueBox<Int64>(0)
            let (before, after) = try await runner.run(.read) { transaction in
                let before = CounterItem.value(try transaction.read(a))
                // Another transaction commits a change meanwhile, from a thread of its own
                // (each run of the body: the first runs without a transaction, and its second
                // read makes the runner run it again in a snapshot).
                let run = runs.withLockedValue { $0 += 1; return $0 }
                let done = DispatchSemaphore(value: 0)
                Thread {
                    _ = try? runner.runBlocking(.write()) { other in
                        try other.apply(.put(CounterItem.row(10 + run)), at: a, replacing: try other.readForUpdate(a))
                    }
                    done.signal()
                }.start()
                done.wait()
                return (before, CounterItem.value(try transaction.read(a)))
            }
            #expect(runs.withLockedValue { $0 } == 2)
            #expect(before == 11)
            #expect(after == 11)
            #expect(try await runner.run(.read) { CounterItem.value(try $0.read(a)) } == 12)
            // READ ONLY: SQLSTATE 25006, passed through.
            await #expect(throws: PSQLError.self) {
                try await runner.run(.read) { transaction in
                    try transaction.apply(.put(CounterItem.row(3)), at: a, replacing: try transaction.read(a))
                }
            }
        }
    }

    @Test func blockingCallsAreRefusedOnAnEventLoopAndInATask() async throws {
        try await TestPostgres.withRunner { runner in
            let onEventLoop = try await MultiThreadedEventLoopGroup.singleton.next().submit {
                Result { try runner.runBlocking(.read) { _ in 1 } }
            }.get()
            #expect(throws: PostgresStorageError.blockingCallOnEventLoop) { try onEventLoop.get() }
            #expect(throws: PostgresStorageError.blockingCallInTask) {
                try runner.runBlocking(.read) { _ in 1 }
            }
        }
    }

    @Test func aHandleServesOnlyItsOwnTransactionAndThread() async throws {
        try await TestPostgres.withRunner { [a] runner in
            // A transaction begun inside another on the same thread is refused.
            await #expect(throws: PostgresStorageError.transactionMisuse("a transaction begun inside another one on the same thread")) {
                try await runner.run(.read) { _ in try runner.runBlocking(.read) { _ in 1 } }
            }
            // A handle kept past its body is dead.
            let leaked = try await runner.run(.read) { Smuggled(value: $0) }
            let refused = await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: Result { try leaked.value.read(a) }) }.start()
            }
            #expect(throws: PostgresStorageError.transactionMisuse("used after its transaction ended")) { try refused.get() }
            // A handle used from another thread while its body runs is refused.
            let offThread = try await runner.run(.read) { transaction in
                let handle = Smuggled(value: transaction)
                let result = BlockingBox<Result<ItemRow?, any Error>>()
                Thread { result.put(Result { try handle.value.read(a) }) }.start()
                return result.take()
            }
            #expect(throws: PostgresStorageError.transactionMisuse("used off the thread running its transaction")) { try offThread.get() }
        }
    }

    @Test func aLockedItemIsAConflictForAMultiItemTransaction() async throws {
        try await TestPostgres.withRunner { [a, b] runner in
            for key in [a, b] {
                try await runner.writeItem(key) { _, old in (PostgresChangeSet(key: key, old: old, write: .put(CounterItem.row(0))), ()) }
            }
            let locked = TestFlag()
            let release = TestFlag()
            async let holder: Void = runner.run(.write()) { transaction in
                _ = try transaction.readForUpdate(b)
                locked.set()
                while !release.isSet { usleep(1000) }
            }
            try await locked.awaitSet()
            await #expect(throws: PostgresConflict(.lockNotAvailable)) {
                try await runner.transactWrite(keys: [b, a]) { _, _, items in
                    (items.map { PostgresChangeSet(key: $0.key, old: $0.value, write: .put(CounterItem.row(9))) }, ())
                }
            }
            release.set()
            try await holder
            // Nothing of the rejected transaction remains: `a` (locked first, in key order) too.
            #expect(try await runner.run(.read) { CounterItem.value(try $0.read(a)) } == 0)
        }
    }
}

/// A value handed from one thread to another that blocks for it (threads only, never tasks).
final class BlockingBox<Value: Sendable>: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var value: Value?

    func put(_ value: Value) {
        self.value = value
        ready.signal()
    }

    func take() -> Value {
        ready.wait()
        guard let value else { fatalError("BlockingBox signalled without a value") }
        return value
    }
}
