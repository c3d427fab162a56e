import Dispatch
import NIOConcurrencyHelpers

/// One result handed from an async task to a thread that waits for it.
///
/// The first `complete` wins (a later one, such as a task finishing after the waiter gave up,
/// is dropped); `wait` blocks the calling thread, never a task or an event loop.
final class BlockingResult<Value: Sendable>: Sendable {
    private let value = NIOLockedValueBox<Result<Value, any Error>?>(nil)
    private let ready = DispatchSemaphore(value: 0)

    func complete(_ result: Result<Value, any Error>) {
        let first = value.withLockedValue { stored in
            guard stored == nil else { return false }
            stored = result
            return true
        }
        if first { ready.signal() }
    }

    /// The result, or nil when `timeout` passed first.
    func wait(timeout: Duration?) -> Result<Value, any Error>? {
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = max(0, seconds) * 1_000_000_000 + attoseconds / 1_000_000_000
            let deadline = DispatchTime.now() + .nanoseconds(Int(clamping: nanoseconds))
            if ready.wait(timeout: deadline) == .timedOut { return nil }
        } else {
            ready.wait()
        }
        return value.withLockedValue { $0 }
    }
}
