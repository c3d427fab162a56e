import NIOCore

/// A task executor that runs a task's jobs on one event loop: `Blocking.wait`'s task for a
/// statement runs on its connection's loop, which does the connection's I/O, so sending the
/// statement and resuming on its answer need no switch to the cooperative pool and back.
///
/// Only for tasks that never block: they share the loop with every connection on it.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
