/// Singleton duties (`SingletonDuty`) over the engine's storage: SQLite's one process always
/// runs them (a direct call, nothing added to its maintenance pass); an external backend runs
/// them only on the process holding the duty.
extension EngineStorage {
    /// Runs `body` if this process holds `duty` (always on SQLite).
    /// - Returns: whether `body` ran.
    @discardableResult
    func singleton(_ duty: SingletonDuty, _ body: () async throws -> Void) async throws -> Bool {
        switch self {
        case .sqlite:
            try await body()
            return true
        case .external(let backend):
            return try await backend.whileHolding(duty, body)
        }
    }

    /// The backend's own background work (`ExternalStorageBackend.maintain`); none on SQLite.
    func maintainBackend() async throws {
        if case .external(let backend) = self { try await backend.maintain() }
    }
}
