/// A fixed pool of reader threads, each owning one read-only connection, sharing one queue.
///
/// A thread opens its connection at its first read, not at start-up: opening one (SQLite's
/// open and the pragmas) is about 200,000 instructions, and a server started for one test
/// may never use them all (README, "Where the time to the first answer goes").
///
/// Each read runs in its own deferred transaction, so all statements of one body see the same
/// WAL snapshot: the data committed when its first statement ran. Reads proceed in parallel
/// with each other and with the writer.
final class ReaderPool: Sendable {
    private struct Queue: Sendable {
        var jobs: [WorkerJob] = []
        var head = 0
        var isClosing = false

        var isEmpty: Bool { head == jobs.count }

        mutating func popFirst() -> WorkerJob? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64, head * 2 >= jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    private struct Lifecycle: Sendable {
        var exited = 0
    }

    /// Waited on by the reader threads only.
    private let queue = ConditionLock(Queue())
    /// Waited on by `init` and `waitUntilExited`.
    private let lifecycle = ConditionLock(Lifecycle())
    private let count: Int

    /// Starts `count` threads; each calls `open` at its first read. A read whose thread cannot
    /// open its connection fails with `open`'s error, and the thread tries again at its next.
    ///
    /// - Throws: when a thread cannot be started; the threads already started then exit.
    init(count: Int, owner: Int, open: @escaping @Sendable () throws -> Connection) throws {
        precondition(count > 0, "a reader pool needs at least one reader")
        self.count = count
        let queue = self.queue
        let lifecycle = self.lifecycle
        for index in 0..<count {
            do {
                try WorkerThread.start(name: "sqlite-reader-\(index)", owner: owner) {
                    ReaderPool.main(queue: queue, lifecycle: lifecycle, open: open)
                }
            } catch {
                // The threads already started see the pool closing and exit on their own.
                stop()
                throw error
            }
        }
    }

    /// Queues a read, or rejects it once the pool is closing.
    func submit(_ job: WorkerJob) {
        let accepted = queue.withLockSignal { queue in
            guard !queue.isClosing else { return false }
            queue.jobs.append(job)
            return true
        }
        if !accepted {
            job.reject(SQLiteError.closed)
        }
    }

    /// Stops accepting reads; the threads finish the queued ones and exit.
    func stop() {
        queue.withLockBroadcast { $0.isClosing = true }
    }

    /// Blocks until every thread has exited.
    func waitUntilExited() {
        let count = self.count
        lifecycle.wait(until: { $0.exited == count }) { _ in }
    }

    // MARK: The reader threads

    private static func main(
        queue: ConditionLock<Queue>,
        lifecycle: ConditionLock<Lifecycle>,
        open: @Sendable () throws -> Connection
    ) {
        var connection: Connection?
        while let job = queue.wait(until: { !$0.isEmpty || $0.isClosing }, then: { $0.popFirst() }) {
            if connection == nil {
                do {
                    connection = try open()
                } catch {
                    job.reject(error)
                    continue
                }
            }
            if let connection {
                run(job, on: connection)
            }
        }
        connection?.close()
        lifecycle.withLockBroadcast { $0.exited += 1 }
    }

    /// Runs one read inside BEGIN DEFERRED ... COMMIT.
    private static func run(_ job: WorkerJob, on connection: Connection) {
        do {
            try connection.statement("BEGIN").run()
        } catch {
            job.reject(error)
            return
        }
        let outcome = job.perform(connection)
        connection.resetActiveStatements()
        if connection.isInTransaction {
            do {
                try connection.statement("COMMIT").run()
            } catch {
                try? connection.execute("ROLLBACK")
                if outcome.error == nil {
                    outcome.resume(throwing: error)
                    return
                }
            }
        }
        outcome.resume()
    }
}
