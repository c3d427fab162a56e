#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The writer's connection, lent to the threads that run point reads while the writer thread
/// has nothing to do.
///
/// In WAL mode a connection drops its whole page cache when it begins a read and finds that
/// another connection has committed since its last one, so under a mix of reads and writes
/// every reader connection re-reads its B-tree path after nearly every commit (README, "Why the
/// 80/20 mix costs more than its parts"). The writer's own cache is never reset by its own
/// commits: a point read there finds its pages warm. The writer thread holds the connection for
/// each batch it runs; a borrower only ever tries the lock and goes to its own connection when
/// the writer has it or wants it, so a read never waits for a write and never makes a thread
/// hop. Between batches the connection is in autocommit mode, so a borrowed single statement
/// is its own snapshot of the last commit, exactly what a reader connection would see.
///
/// `@unchecked Sendable`: `connection` is only read or written with `mutex` locked.
final class WriterConnectionLender: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var connection: Connection?
    /// Set while the writer thread holds the connection or is waiting for it, so borrowers do not
    /// take it back between its batches and make it wait.
    private let writerWantsIt = Atomic<Bool>(false)

    init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Writer thread: the connection may be lent from now on.
    func publish(_ connection: Connection) {
        pthread_mutex_lock(mutex)
        self.connection = connection
        pthread_mutex_unlock(mutex)
    }

    /// Writer thread, before closing the connection: waits for a borrower to finish and lends it
    /// no more.
    func withdraw() {
        writerWantsIt.store(true, ordering: .relaxed)
        pthread_mutex_lock(mutex)
        connection = nil
        pthread_mutex_unlock(mutex)
    }

    /// Writer thread: runs `body` with the connection held (after a borrower's read finishes).
    func hold<R>(_ body: () throws -> R) rethrows -> R {
        writerWantsIt.store(true, ordering: .relaxed)
        pthread_mutex_lock(mutex)
        defer {
            writerWantsIt.store(false, ordering: .relaxed)
            pthread_mutex_unlock(mutex)
        }
        return try body()
    }

    /// The writer's connection when the writer neither holds nor wants it, locked for the
    /// caller until `giveBack`; nil otherwise (never waits). A pair rather than a closure, so
    /// the reader's generic result is returned as it is, not wrapped in an optional.
    @inline(__always)
    func tryBorrow() -> Connection? {
        guard !writerWantsIt.load(ordering: .relaxed), pthread_mutex_trylock(mutex) == 0 else { return nil }
        guard let connection else {
            pthread_mutex_unlock(mutex)
            return nil
        }
        return connection
    }

    /// Ends a `tryBorrow`.
    @inline(__always)
    func giveBack(_ connection: Connection) {
        // A statement left stepping would keep its read transaction open, and the writer's next
        // BEGIN would then build on that snapshot.
        if connection.holdsTransaction { connection.resetActiveStatements() }
        pthread_mutex_unlock(mutex)
    }
}
