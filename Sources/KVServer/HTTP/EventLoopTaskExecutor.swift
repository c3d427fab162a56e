import NIOCore

/// Runs a request's handler task on the event loop that received the request.
///
/// Without it each request hops event loop -> Swift's global pool -> SQLite thread -> global
/// pool -> event loop; with it the task starts, and resumes after its SQLite work, on the event
/// loop, saving two thread switches per request (measured with `Scripts/bench/run.py`). Handlers
/// only do short CPU work (JSON, expressions); anything that blocks runs on the storage threads.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // EventLoop is Sendable; the class holds nothing else.
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
