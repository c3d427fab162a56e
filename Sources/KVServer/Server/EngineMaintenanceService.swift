public import KVStore
public import ServiceLifecycle

/// Runs the engine's background work (TTL expiry, stream trimming) as a service, so that it
/// starts and stops with the server.
public struct EngineMaintenanceService: Service {
    let engine: KVEngine

    public init(engine: KVEngine) {
        self.engine = engine
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await engine.runMaintenance()
        }
    }
}

/// A plain name: swift-service-lifecycle names each service with `"\(service)"`, which for a
/// type without a description walks it by reflection (a measurable part of the start-up).
extension EngineMaintenanceService: CustomStringConvertible {
    public var description: String { "EngineMaintenanceService" }
}
