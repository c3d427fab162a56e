import NIOCore
import NIOPosix

/// The bridge from the engine's synchronous code to postgres-nio's async API.
///
/// The calling thread (one of `PostgresTransactionRunner`'s own) starts a task that runs the
/// async call and waits for its result. The task runs on the cooperative pool and awaits
/// futures of postgres-nio's event loops; neither ever waits for the blocked thread, so the
/// wait cannot deadlock. It would on an event loop thread (the reply it waits for would be
/// handled by the very thread it blocks) and could starve the cooperative pool from inside a
/// task, so both are refused with an error instead.
enum Blocking {
    /// Runs `operation` and blocks the calling thread until it ends or `timeout` passes (then
    /// the task is cancelled and `PostgresStorageError.timedOut` thrown).
    ///
    /// With `loop` (the connection's event loop), the task runs there (`EventLoopTaskExecutor`):
    /// it starts, sends and is resumed by the answer on the thread that does the connection's
    /// I/O, so a statement costs two thread switches (to the loop, back to the waiting thread)
    /// instead of four through the cooperative pool.
    static func wait<Result: Sendable>(
        _ what: String, timeout: Duration?, on loop: (any EventLoop)? = nil,
        _ operation: @escaping @Sendable () async throws -> Result
    ) throws -> Result {
        try refuseNonBlockingContext()
        let result = BlockingResult<Result>()
        let executor = loop.map { EventLoopTaskExecutor($0) }
        let task = Task(executorPreference: executor) {
            do {
                result.complete(.success(try await operation()))
            } catch {
                result.complete(.failure(error))
            }
        }
        guard let outcome = result.wait(timeout: timeout) else {
            task.cancel()
            throw PostgresStorageError.timedOut(what)
        }
        return try outcome.get()
    }

    /// Throws when the calling thread must not block: an event loop's, or one running a task.
    static func refuseNonBlockingContext() throws {
        if MultiThreadedEventLoopGroup.currentEventLoop != nil {
            throw PostgresStorageError.blockingCallOnEventLoop
        }
        if withUnsafeCurrentTask(body: { $0 != nil }) {
            throw PostgresStorageError.blockingCallInTask
        }
    }
}
