import Synchronization

/// At most one run at a time of some background work: `begin` says whether this caller may
/// start it (and then must call `end` when it finishes).
final class ExclusiveRun: Sendable {
    private let running = Mutex(false)

    /// True, and marked running, when no run is under way.
    func begin() -> Bool {
        running.withLock { running in
            defer { running = true }
            return !running
        }
    }

    func end() {
        running.withLock { $0 = false }
    }
}
