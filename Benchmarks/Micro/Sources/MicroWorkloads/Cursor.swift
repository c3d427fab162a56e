import Synchronization

/// A position that cycles through `0..<cycle`, shared by the (possibly concurrent) calls of
/// one workload.
final class Cursor: Sendable {
    private let position = Atomic<Int>(0)
    let cycle: Int

    init(cycle: Int) { self.cycle = max(cycle, 1) }

    func next() -> Int {
        position.add(1, ordering: .relaxed).newValue % cycle
    }
}
