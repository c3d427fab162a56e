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

    @Option(help: "MiB of WAL after which it is checkpointed into the database. (default: 16; env: KVSERVER_WAL_CHECKPOINT_SIZE)")
    var walCheckpointSize: Int?

    @Option(help: "MiB the WAL file is truncated to after a complete checkpoint. (default: 64; env: KVSERVER_WAL_SIZE_LIMIT)")
    var walSizeLimit: Int?

    @Option(
        help: "MiB preallocated in DATA_DIR/kvstore.reserve, released when the disk fills so deletes still work; 0 disables. (default: 64; env: KVSERVER_STORAGE_RESERVE)")
    var storageReserve: Int?

    @Option(help: "Open client connections; more are answered 503 and closed. (default: 4096; env: KVSERVER_MAX_CONNECTIONS)")
    var maxConnections: Int?

    @Option(
        help: "Requests handled at once over all connections; more are answered 503 ServiceUnavailable. (default: 1024; env: KVSERVER_MAX_REQUESTS_IN_FLIGHT)")
    var maxRequestsInFlight: Int?

    @Option(
        help: "Request parts pipelined behind a connection's request in flight before reading it pauses. (default: 256; env: KVSERVER_MAX_PIPELINED_PARTS)")
    var maxPipelinedParts: Int?

    @Option(help: "Bytes of request line and headers; more is answered 400. (default: 32768; env: KVSERVER_MAX_HEADER_BYTES)")
    var maxHeaderBytes: Int?

    @Option(help: "Header fields per request; more is answered 400. (default: 100; env: KVSERVER_MAX_HEADER_COUNT)")
    var maxHeaderCount: Int?

    @Option(help: "Seconds a connection may stay idle before it is closed. (default: 120; env: KVSERVER_IDLE_TIMEOUT)")
    var idleTimeout: Double?

    @Option(
        help: "Seconds from a request's first byte to its last; slower clients get 408. (default: 60; env: KVSERVER_REQUEST_TIMEOUT)")
    var requestTimeout: Double?

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
        var storage = StorageSettings()
        var limits = ServerLimits()
    }

    /// Seconds as a NIO time amount, at most a year (so the nanoseconds never overflow).
    static func timeAmount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(min(seconds, 31_536_000) * 1e9))
    }

    /// A count option: the flag, else the environment variable, else the default; within `range`.
    static func count(_ flag: Int?, _ variable: String, _ environment: [String: String], default value: Int, range: ClosedRange<Int>)
        throws -> Int
    {
        var result = value
        if let flag {
            result = flag
        } else if let text = environment[variable] {
            guard let parsed = Int(text) else { throw ValidationError("\(variable) is not a whole number: '\(text)'") }
            result = parsed
        }
        guard range.contains(result) else {
            throw ValidationError("\(variable) must be within \(range.lowerBound)...\(range.upperBound), got \(result).")
        }
        return result
    }

    /// A size option in MiB: the flag, else the environment variable, else the default; at least `minimum`.
    static func mebibytes(_ flag: Int?, _ variable: String, _ environment: [String: String], default value: Int64, minimum: Int64)
        throws -> Int64
    {
        var result = value / StorageSettings.mebibyte
        if let flag {
            result = Int64(flag)
        } else if let text = environment[variable] {
            guard let parsed = Int64(text) else { throw ValidationError("\(variable) is not a whole number of MiB: '\(text)'") }
            result = parsed
        }
        guard result >= minimum, result <= 1 << 30 else {
            throw ValidationError("\(variable.dropFirst(9).lowercased()) must be \(minimum)...\(1 << 30) MiB, got \(result).")
        }
        return result * StorageSettings.mebibyte
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
        let storageDefaults = StorageSettings()
        let storage = StorageSettings(
            walCheckpointBytes: try Self.mebibytes(
                walCheckpointSize, "KVSERVER_WAL_CHECKPOINT_SIZE", environment, default: storageDefaults.walCheckpointBytes, minimum: 1),
            walSizeLimitBytes: try Self.mebibytes(
                walSizeLimit, "KVSERVER_WAL_SIZE_LIMIT", environment, default: storageDefaults.walSizeLimitBytes, minimum: 0),
            reserveBytes: try Self.mebibytes(
                storageReserve, "KVSERVER_STORAGE_RESERVE", environment, default: storageDefaults.reserveBytes, minimum: 0))
        let limitDefaults = ServerLimits()
        let limits = ServerLimits(
            maxConnections: try Self.count(
                maxConnections, "KVSERVER_MAX_CONNECTIONS", environment, default: limitDefaults.maxConnections, range: 1...1_000_000),
            maxRequestsInFlight: try Self.count(
                maxRequestsInFlight, "KVSERVER_MAX_REQUESTS_IN_FLIGHT", environment, default: limitDefaults.maxRequestsInFlight,
                range: 1...1_000_000),
            maxPipelinedParts: try Self.count(
                maxPipelinedParts, "KVSERVER_MAX_PIPELINED_PARTS", environment, default: limitDefaults.maxPipelinedParts,
                range: 1...100_000),
            maxHeaderBytes: try Self.count(
                maxHeaderBytes, "KVSERVER_MAX_HEADER_BYTES", environment, default: limitDefaults.maxHeaderBytes, range: 256...81_920),
            maxHeaderCount: try Self.count(
                maxHeaderCount, "KVSERVER_MAX_HEADER_COUNT", environment, default: limitDefaults.maxHeaderCount, range: 4...10_000),
            idleTimeout: Self.timeAmount(try Self.seconds(idleTimeout, "KVSERVER_IDLE_TIMEOUT", environment, default: 120)),
            requestTimeout: Self.timeAmount(
                try Self.seconds(requestTimeout, "KVSERVER_REQUEST_TIMEOUT", environment, default: 60)))
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
            storage: storage, limits: limits)
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
        var engineConfiguration = EngineConfiguration(
            dataDirectory: settings.inMemory ? nil : settings.dataDirectory,
            durability: settings.durability, streams: settings.streams, ttlInterval: settings.ttlInterval)
        engineConfiguration.storage = settings.storage
        let engine = try await KVEngine(configuration: engineConfiguration, logger: logger)

        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: EventLoopCount.forThisProcess())
        let server = KVHTTPServer(
            configuration: KVHTTPServerConfiguration(host: settings.host, port: settings.port, limits: settings.limits),
            router: DynamoDBOperations.router(engine: engine),
            eventLoopGroup: eventLoops,
            logger: logger,
            health: { HealthStatus(storageFull: engine.isStorageFull) },
            onListening: { address in
                let host = address.ipAddress ?? settings.host
                let shown = host.contains(":") ? "[\(host)]" : host
                print("kvserver listening on http://\(shown):\(address.port ?? settings.port)")
                fflush(nil)
            }
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: EngineMaintenanceService(engine: engine)), .init(service: server)],
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
