/// One body submitted to a worker thread, type-erased so jobs of any result type share a queue.
///
/// The caller's continuation is captured by `perform` and `reject`; exactly one of them is
/// called, and `perform`'s outcome is resumed exactly once, so every caller resumes once.
struct WorkerJob: Sendable {
    enum Kind: Sendable, Equatable {
        /// `Database.write`: grouped with neighbours into one transaction, each in a savepoint.
        case write
        /// `Database.exclusive`: alone, outside any transaction.
        case exclusive
        /// `Database.read`: alone, on a reader thread.
        case read
    }

    let kind: Kind
    /// Runs the body on the worker's connection; does not resume the caller yet.
    let perform: @Sendable (Connection) -> JobOutcome
    /// Resumes the caller with `error` without running the body.
    let reject: @Sendable (any Error) -> Void

    /// Wraps `body` and the continuation of its caller.
    init<T: Sendable>(
        _ kind: Kind,
        _ body: @escaping @Sendable (Connection) throws -> T,
        _ continuation: CheckedContinuation<T, any Error>
    ) {
        self.kind = kind
        perform = { connection in
            let result = Result<T, any Error> { try body(connection) }
            return JobOutcome(result: result, continuation: continuation)
        }
        reject = { error in continuation.resume(throwing: error) }
    }

    /// Wraps an engine body (`EngineStorage`), handing it the connection as a
    /// `StorageTransaction`: the same one allocation as `init(_:_:_:)`, no wrapping closure.
    init<T: Sendable>(
        _ kind: Kind,
        storage body: @escaping @Sendable (StorageTransaction) throws -> T,
        _ continuation: CheckedContinuation<T, any Error>
    ) {
        self.kind = kind
        perform = { connection in
            let result = Result<T, any Error> { try body(.sqlite(connection)) }
            return JobOutcome(result: result, continuation: continuation)
        }
        reject = { error in continuation.resume(throwing: error) }
    }
}

/// What a body did; kept on the worker thread until the job's fate is known (after COMMIT).
struct JobOutcome {
    /// The body's error, or nil when it returned.
    let error: (any Error)?
    private let resumeCaller: ((any Error)?) -> Void

    init<T: Sendable>(result: Result<T, any Error>, continuation: CheckedContinuation<T, any Error>) {
        if case .failure(let error) = result {
            self.error = error
        } else {
            self.error = nil
        }
        resumeCaller = { override in
            if let override {
                continuation.resume(throwing: override)
            } else {
                continuation.resume(with: result)
            }
        }
    }

    /// Resumes the caller with the body's own result.
    func resume() {
        resumeCaller(nil)
    }

    /// Resumes the caller with `error` instead of the body's result (its work was not committed).
    func resume(throwing error: any Error) {
        resumeCaller(error)
    }
}
