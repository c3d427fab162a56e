public import Logging

/// The public port of the engine: DynamoDB semantics over SQLite, no networking.
public final class KVEngine: Sendable {
    public let configuration: EngineConfiguration
    let logger: Logger

    public init(configuration: EngineConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
    }

    /// Finishes pending writes and closes the database.
    public func shutdown() {}
}
