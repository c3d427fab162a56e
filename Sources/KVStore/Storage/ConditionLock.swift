import Foundation
import Synchronization

/// State guarded by a mutex with a condition variable, for the database's worker threads.
///
/// `Synchronization.Mutex` has no condition variable, and the workers must sleep (never spin)
/// while their queue is empty, so this wraps `NSCondition`.
///
/// `@unchecked Sendable`: `state` is only read or written while `condition` is locked (every
/// access goes through `withLock` or `wait`), and `State` itself is `Sendable`.
final class ConditionLock<State: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    init(_ state: State) {
        self.state = state
    }

    /// Runs `body` with the lock held.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        return try body(&state)
    }

    /// Sleeps until `ready` holds, then runs `body` with the lock still held.
    func wait<R>(until ready: (State) -> Bool, then body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        while !ready(state) {
            condition.wait()
        }
        return try body(&state)
    }

    /// Runs `body` with the lock held, then wakes one waiter.
    func withLockSignal<R>(_ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer {
            condition.signal()
            condition.unlock()
        }
        return try body(&state)
    }

    /// Runs `body` with the lock held, then wakes every waiter.
    func withLockBroadcast<R>(_ body: (inout State) throws -> R) rethrows -> R {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }
}

/// Identifies the worker threads of one database, so `close()` can refuse to wait for the
/// thread it is running on.
enum WorkerThread {
    private static let key = "kvstore.sqlite.database"
    private static let lastOwner = Atomic<Int>(0)

    /// A new identity for the threads of one database.
    static func newOwner() -> Int {
        lastOwner.add(1, ordering: .relaxed).newValue
    }

    /// Starts a named thread running `body`, tagged with the database's identity.
    static func start(name: String, owner: Int, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            Thread.current.threadDictionary[key] = owner
            body()
        }
        thread.name = name
        // Bodies decode nested items recursively; leave them ample room.
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// True on a worker thread started for `owner`.
    static func isCurrent(owner: Int) -> Bool {
        (Thread.current.threadDictionary[key] as? Int) == owner
    }
}
