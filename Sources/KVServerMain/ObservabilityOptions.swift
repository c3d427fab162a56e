#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KVServer
import KVStore
import Logging
import NIOCore
import ServiceLifecycle

/// `--metrics-port`, `--no-metrics` and `--access-log`: what the server records about itself.
struct ObservabilityOptions {
    var metricsPort: Int?

    var noMetrics: Bool = false

    var accessLog: String?

    /// The options after the environment.
    struct Settings: Equatable {
        var metrics = true
        var metricsPort: Int?
        var accessLog: String?
    }

    func settings(environment: [String: String]) throws -> Settings {
        var settings = Settings()
        if noMetrics || ["0", "false", "no"].contains(environment["KVSERVER_METRICS"]?.lowercased() ?? "") {
            settings.metrics = false
        }
        if let port = metricsPort {
            settings.metricsPort = port
        } else if let text = environment["KVSERVER_METRICS_PORT"], !text.isEmpty {
            guard let port = Int(text) else { throw ValidationError("KVSERVER_METRICS_PORT is not a port number: '\(text)'") }
            settings.metricsPort = port
        }
        if let port = settings.metricsPort, !(0...65535).contains(port) {
            throw ValidationError("--metrics-port must be in 0...65535, got \(port).")
        }
        if settings.metricsPort != nil && !settings.metrics {
            throw ValidationError("--metrics-port and --no-metrics exclude each other.")
        }
        let path = accessLog ?? environment["KVSERVER_ACCESS_LOG"]
        settings.accessLog = path?.isEmpty == true ? nil : path
        return settings
    }
}

/// The metrics registry, access log and their services, made before the engine (whose hooks
/// report into the metrics) and the server.
struct Observability {
    let settings: ObservabilityOptions.Settings
    let metrics: ServerMetrics?
    let accessLog: AccessLog?
    let gauges = ServerGauges()

    init(_ settings: ObservabilityOptions.Settings) throws {
        self.settings = settings
        metrics = settings.metrics ? ServerMetrics() : nil
        if let path = settings.accessLog {
            do {
                try AccessLogWriter.checkWritable(path)  // fail at start-up, not at the first request
            } catch {
                throw ValidationError("--access-log: \(error.message)")
            }
            accessLog = AccessLog()
        } else {
            accessLog = nil
        }
    }

    var engineObservers: EngineObservers { metrics?.engineObservers ?? EngineObservers() }

    var observer: RequestObserver? {
        guard metrics != nil || accessLog != nil else { return nil }
        return RequestObserver(metrics: metrics, accessLog: accessLog)
    }

    /// The `/metrics` route, for the API router (no --metrics-port) or the metrics listener.
    func route(engine: KVEngine, triggers: TriggerRunner?) -> RESTRoute? {
        metrics.map { MetricsRoute(metrics: $0, engine: engine, server: gauges, triggers: triggers).route }
    }

    /// Adds the access log writer, and the metrics listener of `--metrics-port`.
    func services(
        engine: KVEngine, triggers: TriggerRunner?, host: String, authenticator: any Authenticator, authorizer: (any RequestAuthorizer)?,
        tls: TLSContextStore?, reload: ReloadTrigger, logger: Logger
    ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let accessLog, let path = settings.accessLog {
            services.append(.named(AccessLogWriter(log: accessLog, path: path, reload: reload, logger: logger)))
        }
        if let port = settings.metricsPort, let route = route(engine: engine, triggers: triggers) {
            var router = Router()
            router.restRoutes.append(route)
            services.append(
                .named(
                    KVHTTPServer(
                        configuration: KVHTTPServerConfiguration(host: host, port: port), router: router,
                        authenticator: authenticator, authorizer: authorizer, tls: tls, logger: logger,
                        onListening: { address in
                            print("kvserver metrics on http://\(address.ipAddress ?? host):\(address.port ?? port)/metrics")
                            fflush(nil)
                        })))
        }
        return services
    }
}
