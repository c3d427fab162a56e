import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// State guarded by a mutex with a condition variable, for the database's worker threads.
///
/// `Synchronization.Mutex` has no condition variable, and the workers must sleep (never spin)
/// while their queue is empty, so this wraps a pthread mutex and condition. (Plain pthreads
/// rather than Foundation's `NSCondition` and `Thread`: the server then does not load
/// Foundation and its ICU data, which was a third of its idle memory.)
///
/// `@unchecked Sendable`: `state` is only read or written while `mutex` is locked (every
/// access goes through `withLock` or `wait`), and `State` itself is `Sendable`.
final class ConditionLock<State: Sendable>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var state: State

    init(_ state: State) {
        self.state = state
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Sleeps until `ready` holds, then runs `body` with the lock still held.
    func wait<R>(until ready: (State) -> Bool, then body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(state) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&state)
    }

    /// Runs `body` with the lock held, then wakes one waiter.
    func withLockSignal<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_signal(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Runs `body` with the lock held, then wakes every waiter.
    func withLockBroadcast<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }
}

/// Identifies the worker threads of one database, so `close()` can refuse to wait for the
/// thread it is running on.
enum WorkerThread {
    private static let lastOwner = Atomic<Int>(0)
    /// The owner id of the current worker thread (0 elsewhere), stored in the pointer value itself.
    private static let ownerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// A new identity for the threads of one database.
    static func newOwner() -> Int {
        lastOwner.add(1, ordering: .relaxed).newValue
    }

    /// What a new thread runs: its owner and body.
    private final class Start {
        let owner: Int
        let name: String
        let body: @Sendable () -> Void

        init(owner: Int, name: String, body: @escaping @Sendable () -> Void) {
            self.owner = owner
            self.name = name
            self.body = body
        }
    }

    /// Names the calling thread (what `top -H`, `perf` and `/proc/PID/task/*/comm` show; Linux
    /// keeps 15 bytes). Unnamed, a thread kept its creator's name, often a Swift pool thread's
    /// `...default-qos`, and the writer could not be told from the readers. Best effort: where
    /// `/proc` is missing the thread keeps that name.
    static func nameCurrentThread(_ name: String) {
        #if os(Linux)
        let file = open("/proc/thread-self/comm", O_WRONLY)
        guard file >= 0 else { return }
        defer { close(file) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
        #endif
    }

    /// Starts a thread running `body`, tagged with the database's identity and named `name`.
    /// - Throws: `SQLiteError` when the system refuses another thread.
    static func start(name: String, owner: Int, _ body: @escaping @Sendable () -> Void) throws {
        let start = Unmanaged.passRetained(Start(owner: owner, name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // Bodies decode nested items recursively; leave them ample room.
        pthread_attr_setstacksize(&attributes, 4 << 20)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { argument in
            guard let argument else { return nil }
            let start = Unmanaged<Start>.fromOpaque(argument).takeRetainedValue()
            pthread_setspecific(WorkerThread.ownerKey, UnsafeRawPointer(bitPattern: start.owner))
            WorkerThread.nameCurrentThread(start.name)
            start.body()
            return nil
        }, start)
        guard result == 0 else {
            Unmanaged<Start>.fromOpaque(start).release()
            throw SQLiteError(code: SQLITE_ERROR, message: "cannot start thread \(name): error \(result)")
        }
    }

    /// True on a worker thread started for `owner`.
    static func isCurrent(owner: Int) -> Bool {
        Int(bitPattern: pthread_getspecific(ownerKey)) == owner
    }
}
