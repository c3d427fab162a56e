import ArgumentParser
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KVServer
import KVStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `kvserver`: the DynamoDB-compatible server.
///
/// Every option can also come from the environment (`KVSERVER_HOST`, `KVSERVER_PORT`,
/// `KVSERVER_DATA_DIR`, `KVSERVER_IN_MEMORY`, `KVSERVER_LOG_LEVEL`, `KVSERVER_DURABILITY`);
/// a flag on the command line wins over the environment.
@main
struct KVServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kvserver",
        abstract: "A DynamoDB-compatible database server.",
        discussion: """
            Each option may also be set by an environment variable (KVSERVER_HOST, KVSERVER_PORT, \
            KVSERVER_DATA_DIR, KVSERVER_IN_MEMORY, KVSERVER_LOG_LEVEL, KVSERVER_DURABILITY); \
            command-line flags win. Once listening, one line "kvserver listening on http://HOST:PORT" \
            is printed to standard output.
            """
    )

    @Option(help: "Address to listen on. (default: 127.0.0.1; env: KVSERVER_HOST)")
    var host: String?

    @Option(help: "Port to listen on; 0 picks a free one. (default: 8000; env: KVSERVER_PORT)")
    var port: Int?

    @Option(help: "Directory for the database files. (default: ./data; env: KVSERVER_DATA_DIR)")
    var dataDir: String?

    @Flag(
        inversion: .prefixedNo,
        help: "Keep all data in memory; nothing is written to disk. (env: KVSERVER_IN_MEMORY=1|true)")
    var inMemory: Bool?

    @Option(help: "trace, debug, info, notice, warning, error or critical. (default: info; env: KVSERVER_LOG_LEVEL)")
    var logLevel: String?

    @Option(help: "normal (survives a process crash) or full (also power loss). (default: normal; env: KVSERVER_DURABILITY)")
    var durability: String?

    @Option(help: "Seconds between TTL sweeps. (default: 1; env: KVSERVER_TTL_INTERVAL)")
    var ttlInterval: Double?

    @Option(help: "Seconds stream records are kept. (default: 86400; env: KVSERVER_STREAM_RETENTION)")
    var streamRetention: Double?

    @Option(help: "Seconds before a stream shard is closed and a child opened. (default: 14400; env: KVSERVER_STREAM_SHARD_ROLLOVER)")
    var streamShardRollover: Double?

    @Option(help: "Seconds a shard iterator stays valid. (default: 900; env: KVSERVER_STREAM_ITERATOR_LIFETIME)")
    var streamIteratorLifetime: Double?

    @Option(help: "A JSON or YAML file of stream triggers (event source mappings), reloaded on change. (env: KVSERVER_TRIGGERS)")
    var triggers: String?

    @Option(
        help: "Base URL of a Lambda Invoke API (e.g. sam local start-lambda) for triggers naming a function. (env: KVSERVER_LAMBDA_ENDPOINT)")
    var lambdaEndpoint: String?

    /// The options after applying the environment and defaults.
    struct Settings: Equatable {
        var host: String
        var port: Int
        var dataDirectory: String
        var inMemory: Bool
        var logLevel: Logger.Level
        var durability: EngineConfiguration.Durability
        var ttlInterval: Double = 1
        var streams = StreamSettings()
        var triggersFile: String?
        var lambdaEndpoint: String?
    }

    /// A duration option: the flag, else the environment variable, else the default; positive and finite.
    static func seconds(_ flag: Double?, _ variable: String, _ environment: [String: String], default value: Double) throws -> Double {
        var result = value
        if let flag {
            result = flag
        } else if let text = environment[variable] {
            guard let parsed = Double(text) else { throw ValidationError("\(variable) is not a number of seconds: '\(text)'") }
            result = parsed
        }
        guard result.isFinite, result > 0 else { throw ValidationError("Durations must be positive numbers of seconds, got \(result).") }
        return result
    }

    func settings(environment: [String: String]) throws -> Settings {
        let host = host ?? environment["KVSERVER_HOST"] ?? "127.0.0.1"
        let port: Int
        if let flag = self.port {
            port = flag
        } else if let text = environment["KVSERVER_PORT"] {
            guard let value = Int(text) else { throw ValidationError("KVSERVER_PORT is not a port number: '\(text)'") }
            port = value
        } else {
            port = 8000
        }
        guard (0...65535).contains(port) else { throw ValidationError("Port must be in 0...65535, got \(port).") }
        let dataDirectory = dataDir ?? environment["KVSERVER_DATA_DIR"] ?? "./data"
        let inMemory: Bool
        if let flag = self.inMemory {
            inMemory = flag
        } else if let text = environment["KVSERVER_IN_MEMORY"] {
            switch text.lowercased() {
            case "1", "true", "yes": inMemory = true
            case "0", "false", "no", "": inMemory = false
            default: throw ValidationError("KVSERVER_IN_MEMORY must be 1/true or 0/false, got '\(text)'.")
            }
        } else {
            inMemory = false
        }
        let levelText = logLevel ?? environment["KVSERVER_LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError(
                "Unknown log level '\(levelText)'; use trace, debug, info, notice, warning, error or critical.")
        }
        let durabilityText = durability ?? environment["KVSERVER_DURABILITY"] ?? "normal"
        guard let durability = EngineConfiguration.Durability(rawValue: durabilityText.lowercased()) else {
            throw ValidationError("Unknown durability '\(durabilityText)'; use normal or full.")
        }
        let defaults = StreamSettings()
        return Settings(
            host: host, port: port, dataDirectory: dataDirectory, inMemory: inMemory, logLevel: level,
            durability: durability,
            ttlInterval: try Self.seconds(ttlInterval, "KVSERVER_TTL_INTERVAL", environment, default: 1),
            streams: StreamSettings(
                retention: try Self.seconds(streamRetention, "KVSERVER_STREAM_RETENTION", environment, default: defaults.retention),
                shardRollover: try Self.seconds(
                    streamShardRollover, "KVSERVER_STREAM_SHARD_ROLLOVER", environment, default: defaults.shardRollover),
                iteratorLifetime: try Self.seconds(
                    streamIteratorLifetime, "KVSERVER_STREAM_ITERATOR_LIFETIME", environment, default: defaults.iteratorLifetime)),
            triggersFile: triggers ?? environment["KVSERVER_TRIGGERS"],
            lambdaEndpoint: lambdaEndpoint ?? environment["KVSERVER_LAMBDA_ENDPOINT"])
    }

    func validate() throws {
        _ = try settings(environment: ProcessInfo.processInfo.environment)
    }

    func run() async throws {
        let settings = try settings(environment: ProcessInfo.processInfo.environment)
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kvserver")

        if !settings.inMemory {
            try FileManager.default.createDirectory(
                atPath: settings.dataDirectory, withIntermediateDirectories: true)
        }
        let engine = try await KVEngine(
            configuration: EngineConfiguration(
                dataDirectory: settings.inMemory ? nil : settings.dataDirectory,
                durability: settings.durability, streams: settings.streams, ttlInterval: settings.ttlInterval),
            logger: logger)

        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: EventLoopCount.forThisProcess())
        // Stream triggers: stored mappings, the triggers file, and Lambda's control plane on this port.
        let triggerRunner = TriggerRunner(
            engine: engine,
            target: TriggerDelivery(eventLoopGroup: eventLoops, lambdaEndpoint: settings.lambdaEndpoint, logger: logger),
            logger: logger)
        try await triggerRunner.load()
        var router = DynamoDBOperations.router(engine: engine)
        router.restRoutes.append(LambdaControlPlane(engine: engine, runner: triggerRunner).route)
        let server = KVHTTPServer(
            configuration: KVHTTPServerConfiguration(host: settings.host, port: settings.port),
            router: router,
            eventLoopGroup: eventLoops,
            logger: logger,
            onListening: { address in
                let host = address.ipAddress ?? settings.host
                let shown = host.contains(":") ? "[\(host)]" : host
                print("kvserver listening on http://\(shown):\(address.port ?? settings.port)")
                fflush(nil)
            }
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: EngineMaintenanceService(engine: engine)),
                    .init(
                        service: TriggerService(
                            runner: triggerRunner, engine: engine, filePath: settings.triggersFile, logger: logger)),
                    .init(service: server),
                ],
                logger: logger))
        // SIGTERM/SIGINT: stop accepting, finish in-flight requests, close.
        let signalSource = ShutdownSignals.install([SIGTERM, SIGINT], group: group)
        defer { signalSource?.cancel() }
        do {
            try await group.run()
        } catch {
            engine.shutdown()
            try? await eventLoops.shutdownGracefully()
            throw error
        }
        engine.shutdown()
        try? await eventLoops.shutdownGracefully()
    }
}
