import NIOConcurrencyHelpers
import PostgresNIO

/// A pooled connection held by one thread for one transaction.
///
/// postgres-nio lends connections only for the scope of an async closure: a task enters
/// `withConnection`, hands the connection to the waiting thread, and stays suspended (holding no
/// thread) until the thread releases it.
final class HeldConnection: Sendable {
    let connection: PostgresConnection
    private let released: ReleaseSignal
    private let finished: BlockingResult<Void>

    private init(connection: PostgresConnection, released: ReleaseSignal, finished: BlockingResult<Void>) {
        self.connection = connection
        self.released = released
        self.finished = finished
    }

    /// A connection from `pool`, waiting at most `timeout` for one.
    static func acquire(from pool: PostgresPool, timeout: Duration?) throws -> HeldConnection {
        try Blocking.refuseNonBlockingContext()
        let leased = BlockingResult<PostgresConnection>()
        let released = ReleaseSignal()
        let finished = BlockingResult<Void>()
        // On an event loop (`EventLoopTaskExecutor`): the pool's lease and the release resume
        // the task there, not on the cooperative pool (two thread switches fewer each way).
        let executor = EventLoopTaskExecutor(pool.eventLoop)
        let task = Task(executorPreference: executor) {
            do {
                try await pool.withConnection { connection in
                    leased.complete(.success(connection))
                    await released.wait()
                }
                finished.complete(.success(()))
            } catch {
                leased.complete(.failure(error))
                finished.complete(.failure(error))
            }
        }
        guard let outcome = leased.wait(timeout: timeout) else {
            // A connection leased after this point goes straight back to the pool.
            released.signal()
            task.cancel()
            throw PostgresStorageError.timedOut("waiting for a pooled connection")
        }
        return HeldConnection(connection: try outcome.get(), released: released, finished: finished)
    }

    /// Gives the connection back to the pool, closing it first when `closing` (its state is
    /// unknown: a statement may still run, or a transaction may be open), so that the pool
    /// never hands a broken or busy connection to the next transaction. A sound connection
    /// goes back without the thread waiting for it (the holding task returns it).
    func release(closing: Bool) {
        if closing {
            let connection = self.connection
            _ = try? Blocking.wait("closing a connection", timeout: .seconds(5)) { try await connection.close() }
        }
        released.signal()
        if closing {
            _ = finished.wait(timeout: .seconds(5))
        }
    }
}

/// A one-time signal from a thread to a suspended task.
final class ReleaseSignal: Sendable {
    private struct State {
        var signaled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func signal() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            state.signaled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLockedValue { state -> Bool in
                if state.signaled { return true }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }
}
