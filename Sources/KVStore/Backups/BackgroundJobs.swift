#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization

/// The work CreateBackup, the restores, ExportTableToPointInTime and ImportTable do after they
/// answer, as DynamoDB does: the answer says CREATING / IN_PROGRESS and clients poll
/// (DescribeBackup, DescribeTable, DescribeExport, DescribeImport; boto3's waiters).
///
/// A job reads through a reader connection and writes in short transactions, so it never holds
/// the writer for long; it runs on the cooperative pool, never on an event loop. `drain` waits
/// for the jobs running (tests; a shutting-down server).
final class BackgroundJobs: Sendable {
    private let running = Mutex<[UUID: Task<Void, Never>]>([:])

    /// Starts `body` now, in the background.
    func start(_ body: @escaping @Sendable () async -> Void) {
        let id = UUID()
        // Registered under the lock the task's end takes too, so a quick job cannot end unregistered.
        running.withLock { running in
            running[id] = Task {
                await body()
                _ = self.running.withLock { $0.removeValue(forKey: id) }
            }
        }
    }

    /// Returns when no job is running.
    func drain() async {
        while let next = running.withLock({ $0.values.first }) {
            await next.value
        }
    }
}

extension BackgroundJobs {
    /// Starts `body` in the background and returns once it calls `ready` (a snapshot's read
    /// transaction has begun, say), so the answer describes work whose content is already fixed.
    /// An error before `ready` is thrown here too; every error goes to `failed`, in the job.
    func start(
        untilReady body: @escaping @Sendable (_ ready: @escaping @Sendable () -> Void) async throws -> Void,
        failed: @escaping @Sendable (any Error) async -> Void
    ) async throws {
        let gate = ReadyGate()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            gate.wait(continuation)
            start {
                do {
                    try await body { gate.open(nil) }
                    gate.open(nil)
                } catch {
                    gate.open(error)
                    await failed(error)
                }
            }
        }
    }
}

/// A continuation resumed once, by the first of `open`'s calls.
private final class ReadyGate: Sendable {
    private let waiting = Mutex<CheckedContinuation<Void, any Error>?>(nil)

    func wait(_ continuation: CheckedContinuation<Void, any Error>) {
        waiting.withLock { $0 = continuation }
    }

    func open(_ error: (any Error)?) {
        guard let continuation = waiting.withLock({ value in defer { value = nil }; return value }) else { return }
        if let error { continuation.resume(throwing: error) } else { continuation.resume() }
    }
}
