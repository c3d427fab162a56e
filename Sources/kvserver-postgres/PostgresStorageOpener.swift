import KVServerMain
import KVStore
import KVStorePostgres
import Logging

/// `--storage postgres://...`: PostgreSQL as kvserver's database (docs/postgres-backend.md).
struct PostgresStorageOpener: ExternalStorageOpener {
    func check(_ url: String, replica: String?, environment: [String: String]) throws {
        _ = try Self.settings(url, environment: environment)
        if let replica { _ = try Self.settings(replica, environment: environment, option: "--storage-replica") }
        _ = try Self.leaseTTL(environment)
    }

    func open(_ url: String, replica: String?, environment: [String: String], logger: Logger) async throws
        -> OpenedExternalStorage
    {
        let settings = try Self.settings(url, environment: environment)
        logger.info("kv.storage.postgres", metadata: ["kv.storage": "\(settings)"])
        do {
            _ = try await PostgresProbe.check(settings, logger: logger)
        } catch {
            // Reflecting: PSQLError's plain description hides the server's message ("password
            // authentication failed ..."), which carries no data here.
            throw ValidationError("--storage: cannot use PostgreSQL at \(settings): \(String(reflecting: error))")
        }
        let readReplica = try await Self.openReplica(replica, of: settings, environment: environment, logger: logger)
        let pool = PostgresPool(settings: settings, logger: logger)
        let backend = PostgresExternalBackend(
            pool: pool, leaseTTLMilliseconds: try Self.leaseTTL(environment), replica: readReplica)
        do {
            let (found, now) = try await PostgresMigrator.migrate(pool)
            if found != now {
                logger.info("kv.storage.migrated", metadata: ["kv.schema.from": "\(found)", "kv.schema.to": "\(now)"])
            }
        } catch {
            await backend.close()
            throw ValidationError("--storage: cannot migrate the PostgreSQL schema: \(String(reflecting: error))")
        }
        return OpenedExternalStorage(backend: backend) { await backend.close() }
    }

    /// The read replica of `--storage-replica`, checked like the primary at start (a wrong
    /// password or host, an old server, and also a server that is not a standby, or a standby of
    /// another cluster, refuse to start: a misconfiguration shows at once, rather than as reads
    /// silently going to the primary or answering another database's data); nil without one.
    /// Once running, a failing replica is left out (`PostgresReplica`).
    static func openReplica(
        _ url: String?, of primary: PostgresSettings, environment: [String: String], logger: Logger
    ) async throws -> PostgresReplica? {
        guard let url else { return nil }
        let settings = try Self.settings(url, environment: environment, option: "--storage-replica")
        logger.info("kv.storage.postgres.replica", metadata: ["kv.storage.replica": "\(settings)"])
        do {
            _ = try await PostgresProbe.checkReplica(settings, logger: logger)
            switch await PostgresProbe.replicates(primary, replica: settings, logger: logger) {
            case true?: break
            case false?: throw PostgresStorageError.replicaOfAnotherCluster
            case nil:
                logger.warning(
                    "kv.storage.replica.unverified",
                    metadata: ["kv.reason": "pg_control_system() unreadable: cannot check that the replica is the primary's standby"])
            }
        } catch {
            throw ValidationError("--storage-replica: cannot use PostgreSQL at \(settings): \(String(reflecting: error))")
        }
        return PostgresReplica(pool: PostgresPool(settings: settings, logger: logger))
    }

    /// The singleton duties' lease lifetime: `KVSERVER_POSTGRES_LEASE_TTL_MS` (milliseconds,
    /// at least 300), a setting for tests that kill a node and must not wait long for the
    /// takeover; else `PostgresDutyLeases.defaultTTLMilliseconds`.
    static func leaseTTL(_ environment: [String: String]) throws -> Int64 {
        guard let text = environment["KVSERVER_POSTGRES_LEASE_TTL_MS"], !text.isEmpty else {
            return PostgresDutyLeases.defaultTTLMilliseconds
        }
        guard let milliseconds = Int64(text), milliseconds >= 300, milliseconds <= 3_600_000 else {
            throw ValidationError("KVSERVER_POSTGRES_LEASE_TTL_MS: expected milliseconds from 300 to 3600000, got \(text)")
        }
        return milliseconds
    }

    /// `url` parsed (`PostgresSettings.parse`), or the reason it cannot be used.
    static func settings(_ url: String, environment: [String: String], option: String = "--storage") throws -> PostgresSettings {
        switch Result(catching: { () throws(PostgresSettingsError) in try PostgresSettings.parse(url, environment: environment) }) {
        case .success(let settings): return settings
        case .failure(let error): throw ValidationError("\(option): \(error.message)")
        }
    }
}
