import Foundation
import Logging
import Synchronization
import Testing

@testable import KVStore

/// A deterministic generator (SplitMix64), so random tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A unique database file under the temporary directory, removed (with its WAL files) after `body`.
func withTemporaryDatabasePath<R>(_ body: (String) async throws -> R) async throws -> R {
    let name = "kvstore-test-\(UUID().uuidString).sqlite"
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(name).path
    defer {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }
    return try await body(path)
}

/// A one-shot gate a body can block the writer thread on, opened from the test.
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let entered = Atomic<Bool>(false)

    /// Called on a worker thread: records arrival, then blocks until `open()`.
    func pass() {
        entered.store(true, ordering: .releasing)
        semaphore.wait()
    }

    var hasEntered: Bool { entered.load(ordering: .acquiring) }

    func open() {
        semaphore.signal()
    }
}

/// Polls `condition` every millisecond for up to `seconds`.
func eventually(seconds: Double = 10, _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try await Task.sleep(for: .milliseconds(1))
    }
    return true
}

/// A counter shared by bodies running on several threads.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() {
        count.add(1, ordering: .relaxed)
    }

    var value: Int { count.load(ordering: .relaxed) }
}

struct TestError: Error, Equatable {
    var id: Int
}

/// SQLite result codes used by the tests (the test target does not import CSQLite).
enum ResultCode {
    static let error: Int32 = 1
    static let readOnly: Int32 = 8
    static let misuse: Int32 = 21
    static let constraint: Int32 = 19
    static let constraintPrimaryKey: Int32 = 1555
}

/// The two ways the engine can hold SQLite: its own monomorphic path, and the external-backend
/// seam (`SQLiteExternalBackend`), as a backend from another module plugs in. Engine tests that
/// take this argument run on both, proving the seam carries them.
enum TestStorage: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case externalSQLite

    var testDescription: String { rawValue }

    func engine(_ configuration: EngineConfiguration, clock: @escaping @Sendable () -> Double = WallClock.now)
        async throws -> KVEngine
    {
        switch self {
        case .sqlite: try await KVEngine(configuration: configuration, logger: Logger(label: "test"), clock: clock)
        case .externalSQLite:
            try await KVEngine.overExternalSQLite(configuration: configuration, logger: Logger(label: "test"), clock: clock)
        }
    }
}
