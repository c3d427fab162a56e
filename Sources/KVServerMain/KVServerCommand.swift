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
public struct KVServerCommand {
    static let abstract = "A DynamoDB-compatible database server."
    static let discussion = """
        Each option may also be set by an environment variable (KVSERVER_HOST, KVSERVER_PORT, \
        KVSERVER_DATA_DIR, KVSERVER_IN_MEMORY, KVSERVER_LOG_LEVEL, KVSERVER_DURABILITY, KVSERVER_AUTH, \
        KVSERVER_AUDIT_LOG, KVSERVER_TLS_CERT, KVSERVER_TLS_KEY); command-line flags win. Once listening, \
        one line "kvserver listening on http://HOST:PORT (signature verification on|off...)" is printed \
        to standard output. Without --auth, only a loopback address may be bound unless --no-auth is given.
        """

    // The options as given (nil: not on the command line); `Arguments/KVServerOptions.swift`
    // reads them, `settings(environment:)` applies the environment and defaults.
    var host: String?
    var port: Int?
    var dataDir: String?
    var inMemory: Bool?
    var storage: String?
    var storageReplica: String?
    /// The backend `--storage URL` opens; nil in an executable built without one (`kvserver`).
    var storageOpener: (any ExternalStorageOpener)?
    var backupDir: String?
    var exportDir: String?
    var logLevel: String?
    var durability: String?
    var ttlInterval: Double?
    var streamRetention: Double?
    var streamShardRollover: Double?
    var streamIteratorLifetime: Double?
    var triggers: String?
    var lambdaEndpoint: String?
    var enforceThroughput: Bool = false
    var faults: String?
    var auth: String?
    var noAuth: Bool = false
    var consolePort: Int?
    var noConsole: Bool = false
    var auditLog: String?
    var tlsCert: String?
    var tlsKey: String?
    var walCheckpointSize: Int?
    var walSizeLimit: Int?
    var storageReserve: Int?
    var cacheSize: Int?
    var maxConnections: Int?
    var maxRequestsInFlight: Int?
    var maxPipelinedParts: Int?
    var maxHeaderBytes: Int?
    var maxHeaderCount: Int?
    var idleTimeout: Double?
    var requestTimeout: Double?
    var observability = ObservabilityOptions()

    /// The options after applying the environment and defaults.
    struct Settings: Equatable {
        var host: String
        var port: Int
        var dataDirectory: String
        var inMemory: Bool
        /// `--storage URL`: the data in an external database (nil: SQLite, the default).
        var storageURL: String?
        /// `--storage-replica URL`: a read replica of it for eventually consistent reads.
        var storageReplicaURL: String?
        var logLevel: Logger.Level
        var durability: EngineConfiguration.Durability
        var ttlInterval: Double = 1
        var streams = StreamSettings()
        var security = SecuritySettings()
        var backupDirectory: String?
        var exportDirectory: String?
        var storage = StorageSettings()
        var limits = ServerLimits()
        var triggersFile: String?
        var lambdaEndpoint: String?
        var console = ConsoleSettings()
    }

    /// Where the web console is served (see `ConsoleSite`).
    struct ConsoleSettings: Equatable {
        var enabled = true
        /// A port of its own; nil serves it at /console on the API port.
        var port: Int?
    }

    /// Authentication, audit and TLS options.
    struct SecuritySettings: Equatable {
        var authFile: String?
        var noAuth = false
        var auditLog: String?
        var tlsCertificate: String?
        var tlsKey: String?
    }

    /// The console options: on by default at `/console` on the API port.
    func consoleSettings(environment: [String: String]) throws -> ConsoleSettings {
        var console = ConsoleSettings()
        console.enabled = !(noConsole || environment["KVSERVER_NO_CONSOLE"] == "1")
        if let flag = consolePort {
            console.port = flag
        } else if let text = environment["KVSERVER_CONSOLE_PORT"], !text.isEmpty {
            guard let value = Int(text) else { throw ValidationError("KVSERVER_CONSOLE_PORT is not a port number: '\(text)'") }
            console.port = value
        }
        if let port = console.port, !(0...65535).contains(port) {
            throw ValidationError("--console-port must be in 0...65535, got \(port).")
        }
        return console
    }

    /// Loopback addresses, where the server may run without verification (the test double).
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return bare == "localhost" || bare == "::1" || bare.hasPrefix("127.")
    }

    /// The security options, checked: protected mode refuses a non-loopback address without
    /// `--auth` unless `--no-auth` says so.
    func securitySettings(host: String, environment: [String: String]) throws -> SecuritySettings {
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        let settings = SecuritySettings(
            authFile: nonEmpty(auth ?? environment["KVSERVER_AUTH"]), noAuth: noAuth,
            auditLog: nonEmpty(auditLog ?? environment["KVSERVER_AUDIT_LOG"]),
            tlsCertificate: nonEmpty(tlsCert ?? environment["KVSERVER_TLS_CERT"]),
            tlsKey: nonEmpty(tlsKey ?? environment["KVSERVER_TLS_KEY"]))
        if settings.authFile != nil && settings.noAuth {
            throw ValidationError("--auth and --no-auth exclude each other.")
        }
        if (settings.tlsCertificate == nil) != (settings.tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together.")
        }
        if settings.authFile == nil && !settings.noAuth && !Self.isLoopback(host) {
            throw ValidationError(
                """
                Refusing to listen on \(host) without authentication: anyone who can reach it could read, change \
                and delete every table. Start with --auth FILE to verify request signatures against an auth file, \
                or with --no-auth to accept any credentials anyway.
                """)
        }
        return settings
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
        let storageDefaults = inMemory ? StorageSettings.inMemory : StorageSettings()
        let storage = StorageSettings(
            walCheckpointBytes: try Self.mebibytes(
                walCheckpointSize, "KVSERVER_WAL_CHECKPOINT_SIZE", environment, default: storageDefaults.walCheckpointBytes, minimum: 1),
            walSizeLimitBytes: try Self.mebibytes(
                walSizeLimit, "KVSERVER_WAL_SIZE_LIMIT", environment, default: storageDefaults.walSizeLimitBytes, minimum: 0),
            reserveBytes: try Self.mebibytes(
                storageReserve, "KVSERVER_STORAGE_RESERVE", environment, default: storageDefaults.reserveBytes, minimum: 0),
            pageCacheBytes: try Self.mebibytes(
                cacheSize, "KVSERVER_CACHE_SIZE", environment, default: storageDefaults.pageCacheBytes, minimum: 1))
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
        let security = try securitySettings(host: host, environment: environment)
        var settings = Settings(
            host: host, port: port, dataDirectory: dataDirectory, inMemory: inMemory, logLevel: level,
            durability: durability,
            ttlInterval: try Self.seconds(ttlInterval, "KVSERVER_TTL_INTERVAL", environment, default: 1),
            streams: StreamSettings(
                retention: try Self.seconds(streamRetention, "KVSERVER_STREAM_RETENTION", environment, default: defaults.retention),
                shardRollover: try Self.seconds(
                    streamShardRollover, "KVSERVER_STREAM_SHARD_ROLLOVER", environment, default: defaults.shardRollover),
                iteratorLifetime: try Self.seconds(
                    streamIteratorLifetime, "KVSERVER_STREAM_ITERATOR_LIFETIME", environment, default: defaults.iteratorLifetime)),
            security: security, storage: storage, limits: limits,
            triggersFile: triggers ?? environment["KVSERVER_TRIGGERS"],
            lambdaEndpoint: lambdaEndpoint ?? environment["KVSERVER_LAMBDA_ENDPOINT"])
        settings.console = try consoleSettings(environment: environment)
        if let url = (self.storage ?? environment["KVSERVER_STORAGE"]).flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let storageOpener else {
                throw ValidationError(
                    "--storage: this kvserver keeps its data in SQLite only; kvserver-postgres keeps it in PostgreSQL (postgres://...).")
            }
            guard !inMemory else { throw ValidationError("--storage and --in-memory exclude each other.") }
            let replica = (storageReplica ?? environment["KVSERVER_STORAGE_REPLICA"]).flatMap { $0.isEmpty ? nil : $0 }
            try storageOpener.check(url, replica: replica, environment: environment)
            settings.storageURL = url
            settings.storageReplicaURL = replica
        } else if let replica = storageReplica ?? environment["KVSERVER_STORAGE_REPLICA"], !replica.isEmpty {
            throw ValidationError("--storage-replica: a read replica needs --storage, the primary database it replicates.")
        }
        settings.backupDirectory = backupDir ?? environment["KVSERVER_BACKUP_DIR"]
        settings.exportDirectory = exportDir ?? environment["KVSERVER_EXPORT_DIR"]
        if settings.storageURL != nil, dataDir != nil || environment["KVSERVER_DATA_DIR"] != nil {
            // An external database keeps the data; a data directory given beside it keeps this
            // node's files (exports, their records, temporary snapshots), as on SQLite.
            let base = settings.dataDirectory.hasSuffix("/") ? settings.dataDirectory : settings.dataDirectory + "/"
            settings.backupDirectory = settings.backupDirectory ?? base + "backups"
            settings.exportDirectory = settings.exportDirectory ?? base + "exports"
        }
        return settings
    }

    func validate() throws {
        _ = try settings(environment: processEnvironment)
    }

    func run() async throws {
        let environment = processEnvironment
        let settings = try settings(environment: environment)
        let level = settings.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kvserver")

        if !settings.inMemory && settings.storageURL == nil {
            try FileManager.default.createDirectory(
                atPath: settings.dataDirectory, withIntermediateDirectories: true)
        }
        var configuration = EngineConfiguration(
            // An external database keeps no data in files (a given data directory holds this
            // node's exports: `settings`).
            dataDirectory: settings.inMemory || settings.storageURL != nil ? nil : settings.dataDirectory,
            durability: settings.durability, streams: settings.streams, ttlInterval: settings.ttlInterval)
        configuration.backupDirectory = settings.backupDirectory
        configuration.exportDirectory = settings.exportDirectory
        configuration.storage = settings.storage
        let observation = try Observability(try observability.settings(environment: environment))
        configuration.observers = observation.engineObservers
        let engine: KVEngine
        var external: OpenedExternalStorage?
        if let url = settings.storageURL, let storageOpener {
            // A wrong password, host or a server too old fails here at once; the schema is created
            // or migrated; then the engine opens over the backend.
            let opened = try await storageOpener.open(
                url, replica: settings.storageReplicaURL, environment: environment, logger: logger)
            external = opened
            do {
                engine = try await KVEngine(configuration: configuration, logger: logger, backend: opened.backend)
            } catch {
                await opened.close()
                throw error
            }
        } else if environment["KVSERVER_DEBUG_STORAGE"] == "sqlite-external" {
            // Debugging the storage seam: SQLite driven as an external backend (see
            // `KVEngine.overExternalSQLite`); Query, Scan and backups refuse there.
            logger.warning("kv.storage.debug", metadata: ["kv.storage": "sqlite-external"])
            engine = try await KVEngine.overExternalSQLite(configuration: configuration, logger: logger)
        } else {
            engine = try await KVEngine(configuration: configuration, logger: logger)
        }

        let security = settings.security
        let reloadTrigger = ReloadTrigger()
        // Loaded before anything listens: a bad file at start-up is an error, not an open door.
        let authStore: AuthConfigurationStore?
        if let path = security.authFile {
            do {
                authStore = AuthConfigurationStore(try AuthFileReloader.load(path))
            } catch {
                engine.shutdown()
                throw ValidationError("auth file \(path): \(error.description)")
            }
        } else {
            authStore = nil
        }
        let tls: TLSContextStore?
        if let certificate = security.tlsCertificate, let key = security.tlsKey {
            do {
                tls = try TLSContextStore(certificatePath: certificate, keyPath: key)
            } catch {
                engine.shutdown()
                throw ValidationError("cannot load --tls-cert \(certificate) / --tls-key \(key): \(error)")
            }
        } else {
            tls = nil
        }
        // Fault injection: the file's rules (checked before anything listens), `/admin/faults`.
        let faultInjector = FaultInjector()
        let faultsFile = (faults ?? environment["KVSERVER_FAULTS"]).flatMap { $0.isEmpty ? nil : $0 }
        if let faultsFile {
            do {
                faultInjector.replace(with: try FaultInjector.load(faultsFile))
            } catch {
                engine.shutdown()
                throw ValidationError("--faults \(faultsFile): \(error.message)")
            }
        }
        let audit = security.auditLog.map { _ in AuditLog() }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .named(EngineMaintenanceService(engine: engine))
        ]
        if let path = security.auditLog, let audit {
            do {
                try AuditLogWriter.checkWritable(path)  // fail at start-up, not at the first request
            } catch {
                engine.shutdown()
                throw ValidationError("--audit-log: \(error.message)")
            }
            services.append(
                .named(AuditLogWriter(log: audit, path: path, reload: reloadTrigger, logger: logger)))
        }
        if authStore != nil || tls != nil || faultsFile != nil {
            let watched = faultsFile.map { path in
                [AuthFileReloader.WatchedFile(path: path) { faultInjector.reload(from: path, logger: logger) }]
            }
            services.append(
                .named(
                    AuthFileReloader(
                        path: security.authFile, store: authStore, reload: reloadTrigger, logger: logger,
                        onHangup: { tls?.reload(logger: logger) }, watched: watched ?? [])))
        }
        let authenticator: any Authenticator =
            authStore.map { SigV4Authenticator(store: $0, clock: WallClock.now) } ?? AcceptAnyCredentialsAuthenticator()
        let verification =
            security.authFile.map { "signature verification on, auth file \($0)" }
            ?? "signature verification off: any credentials accepted"
        if security.noAuth && !Self.isLoopback(settings.host) {
            logger.warning(
                "server.no_auth: listening on a non-loopback address without signature verification (--no-auth)",
                metadata: ["server.host": "\(settings.host)"])
        }

        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: EventLoopCount.forThisProcess())
        // Stream triggers: stored mappings, the triggers file, and Lambda's control plane on this port.
        let triggerRunner = TriggerRunner(
            engine: engine,
            target: TriggerDelivery(
                eventLoopGroup: eventLoops, lambdaEndpoint: settings.lambdaEndpoint, logger: logger, environment: environment),
            logger: logger)
        try await triggerRunner.load()
        var router = DynamoDBOperations.router(engine: engine)
        router.restRoutes.append(LambdaControlPlane(engine: engine, runner: triggerRunner).route)
        router.restRoutes.append(FaultsAdmin(injector: faultInjector, logger: logger).route)
        if enforceThroughput || environment["KVSERVER_ENFORCE_THROUGHPUT"] == "1" {
            let limiter = ThroughputLimiter(tables: { engine.tableDefinition(named: $0) }, clock: WallClock.now)
            ThroughputGuard(limiter: limiter).install(in: &router)
        }
        if observation.settings.metricsPort == nil, let metricsRoute = observation.route(engine: engine, triggers: triggerRunner) {
            router.restRoutes.append(metricsRoute)
        }
        let authorizer = authStore.map { _ in IAMPolicyAuthorizer(catalog: .engine(engine)) }
        services += observation.services(
            engine: engine, triggers: triggerRunner, host: settings.host, authenticator: authenticator, authorizer: authorizer, tls: tls,
            reload: reloadTrigger, logger: logger)
        services.append(
            .named(TriggerService(runner: triggerRunner, engine: engine, filePath: settings.triggersFile, logger: logger)))
        // The web console: static pages that call this API like any SDK (signing when auth is on).
        let console = settings.console.enabled ? ConsoleSite(authEnabled: authStore != nil) : nil
        var apiRouter = router
        apiRouter.console = settings.console.port == nil ? console : nil
        if let console, let consolePort = settings.console.port {
            // Its own listener, answering the console and the API the page calls (same origin).
            var consoleRouter = router
            consoleRouter.console = console
            services.append(
                .named(
                    KVHTTPServer(
                        configuration: KVHTTPServerConfiguration(host: settings.host, port: consolePort, limits: settings.limits),
                        router: consoleRouter, authenticator: authenticator,
                        authorizer: authStore.map { _ in IAMPolicyAuthorizer(catalog: .engine(engine)) },
                        auditLog: audit, tls: tls, eventLoopGroup: eventLoops, logger: logger,
                        health: { HealthStatus(storageFull: engine.isStorageFull) },
                        onListening: { address in
                            let host = address.ipAddress ?? settings.host
                            let shown = host.contains(":") ? "[\(host)]" : host
                            print("kvserver console on \(tls == nil ? "http" : "https")://\(shown):\(address.port ?? consolePort)/console")
                            fflush(nil)
                        })))
        }
        let server = KVHTTPServer(
            configuration: KVHTTPServerConfiguration(host: settings.host, port: settings.port, limits: settings.limits),
            router: apiRouter,
            authenticator: authenticator,
            authorizer: authorizer,
            auditLog: audit,
            tls: tls,
            faults: faultInjector,
            observer: observation.observer,
            gauges: observation.gauges,
            eventLoopGroup: eventLoops,
            logger: logger,
            health: { HealthStatus(storageFull: engine.isStorageFull) },
            onListening: { address in
                let host = address.ipAddress ?? settings.host
                let shown = host.contains(":") ? "[\(host)]" : host
                let scheme = tls == nil ? "http" : "https"
                print("kvserver listening on \(scheme)://\(shown):\(address.port ?? settings.port) (\(verification))")
                fflush(nil)
            }
        )
        services.append(.named(server))
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        // SIGTERM/SIGINT: stop accepting, finish in-flight requests, close.
        let signalSource = ShutdownSignals.install([SIGTERM, SIGINT], group: group)
        defer { signalSource?.cancel() }
        // SIGHUP: reload the auth file and the certificate, reopen the audit log. Without any of
        // them SIGHUP keeps its default (the process ends with its terminal).
        let reloadsOnHangup = authStore != nil || tls != nil || audit != nil || faultsFile != nil
            || observation.accessLog != nil
        let hangupSource = reloadsOnHangup ? HangupSignal.install(reloadTrigger) : nil
        defer { hangupSource?.cancel() }
        do {
            try await group.run()
        } catch {
            await external?.close()
            engine.shutdown()
            try? await eventLoops.shutdownGracefully()
            throw error
        }
        // The backend's threads and pool, awaited here rather than blocked on in `shutdown`.
        await external?.close()
        engine.shutdown()
        try? await eventLoops.shutdownGracefully()
    }
}

/// The process environment, read once: `ProcessInfo.environment` builds a new dictionary of
/// every variable at each call (about 450,000 instructions), and start-up consults it in
/// several places.
let processEnvironment = ProcessInfo.processInfo.environment
