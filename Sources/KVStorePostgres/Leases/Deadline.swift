import NIOConcurrencyHelpers

/// Runs an async PostgreSQL call with a bound on its wait, for the background duties, whose
/// calls go through postgres-nio's async API rather than the runner (which bounds its own): a
/// call on a connection whose session the server ended may never be answered (postgres-nio
/// 1.33, docs/postgres-backend.md, "Connections the server ends"), and a duty or lease keeper
/// stuck on it would hold its lease without doing its work. Past the bound the caller gets
/// `PostgresStorageError.timedOut` and goes on; the call itself is abandoned (cancelled, and
/// its answer, if one ever comes, dropped).
enum Deadline {
    static func run<T: Sendable>(
        _ what: String, timeout: Duration, _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let pending = NIOLockedValueBox<CheckedContinuation<T, any Error>?>(nil)
        let finish: @Sendable (Result<T, any Error>) -> Void = { result in
            let continuation = pending.withLockedValue { pending in
                defer { pending = nil }
                return pending
            }
            continuation?.resume(with: result)
        }
        let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])
        defer { for task in tasks.withLockedValue({ $0 }) { task.cancel() } }
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLockedValue { $0 = continuation }
            let call = Task {
                do { finish(.success(try await operation())) } catch { finish(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                finish(.failure(PostgresStorageError.timedOut(what)))
            }
            tasks.withLockedValue { $0 = [call, timer] }
        }
    }
}
