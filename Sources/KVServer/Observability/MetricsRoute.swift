public import KVStore
import NIOHTTP1
import Prometheus
import Synchronization

/// `GET /metrics`: the Prometheus text exposition (format 0.0.4) of `ServerMetrics`, with the
/// gauges that describe state (file sizes, tables, connections) brought up to date first.
///
/// It is a REST route: without `--auth` it answers unsigned requests too; with `--auth` it is
/// authenticated like every request and authorized
/// as the action `dynamodb:GetMetrics` (resource `*`): an identity scrapes only if a policy
/// allows that (`dynamodb:*` does).
public struct MetricsRoute: Sendable {
    public static let path = "/metrics"
    public static let operation = "GetMetrics"
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let metrics: ServerMetrics
    let engine: KVEngine
    let server: ServerGauges
    let triggers: TriggerRunner?

    public init(metrics: ServerMetrics, engine: KVEngine, server: ServerGauges, triggers: TriggerRunner? = nil) {
        self.metrics = metrics
        self.engine = engine
        self.server = server
        self.triggers = triggers
    }

    public var route: RESTRoute {
        var route = RESTRoute(prefix: Self.path, operation: { _, _ in Self.operation }) { request in
            await self.handle(request)
        }
        // Without --auth a scraper need not sign (Prometheus does not); with it, it must.
        route.unsignedWhenUnverified = true
        return route
    }

    func handle(_ request: RESTRequest) async -> APIResponse {
        guard request.path == Self.path || request.path == Self.path + "/" else {
            return APIResponse(status: 404, contentType: "text/plain; charset=utf-8", body: Array("not found\n".utf8))
        }
        guard request.method == .GET || request.method == .HEAD else {
            return APIResponse(
                status: 405, contentType: "text/plain; charset=utf-8", body: Array("use GET\n".utf8),
                extraHeaders: [("Allow", "GET, HEAD")])
        }
        await refreshGauges()
        return APIResponse(status: 200, contentType: Self.contentType, body: metrics.exposition())
    }

    /// Sets the scrape-time gauges; tables dropped since the last scrape lose their series.
    func refreshGauges() async {
        let files = engine.storageFileSizes()
        metrics.gauge(.walSize).set(Double(files.walBytes))
        metrics.gauge(.databaseSize).set(Double(files.databaseBytes))
        metrics.gauge(.requestsInFlight).set(Double(server.requestsInFlight))
        metrics.gauge(.openConnections).set(Double(server.openConnections))
        var names: [String] = []
        var start: String?
        repeat {
            let page = engine.listTables(exclusiveStartTableName: start, limit: 100)
            names += page.tableNames
            start = page.lastEvaluatedTableName
        } while start != nil
        var seen: [Gauge] = []
        for name in names {
            guard let description = try? await engine.describeTable(name) else { continue }
            let definition = description.definition
            let table = [("table", name)]
            let itemCount = metrics.gauge(.itemCount, table)
            itemCount.set(Double(description.itemCount))
            let size = metrics.gauge(.tableSize, table)
            size.set(Double(description.sizeBytes))
            seen += [itemCount, size]
            let provisioned = definition.billingMode == .provisioned
            var capacities = [("", provisioned ? definition.throughput : nil)]
            for index in definition.globalIndexes {
                capacities.append((index.name, provisioned ? index.throughput : nil))
            }
            for (index, throughput) in capacities {
                let labels = [("table", name), ("index", index)]
                let read = metrics.gauge(.provisionedRead, labels)
                read.set(Double(throughput?.readCapacityUnits ?? 0))
                let write = metrics.gauge(.provisionedWrite, labels)
                write.set(Double(throughput?.writeCapacityUnits ?? 0))
                seen += [read, write]
            }
        }
        for mapping in triggers?.mappings ?? [] {
            let age = metrics.gauge(
                .triggerIteratorAge,
                [("trigger", mapping.uuid), ("function", mapping.functionName), ("table", mapping.tableName),
                 ("stream", mapping.streamLabel)])
            age.set(((triggers?.status(uuid: mapping.uuid).iteratorAgeSeconds ?? 0) * 1000).rounded())
            seen.append(age)
        }
        server.replaceTableGauges(with: seen, in: metrics)
    }
}

/// Server-wide state read at scrape time: open connections and requests in flight (set by
/// `KVHTTPServer` when it starts), and the per-table gauges of the last scrape.
public final class ServerGauges: Sendable {
    private struct State: Sendable {
        var connections: (@Sendable () -> Int)?
        var inFlight: (@Sendable () -> Int)?
        var tableGauges: [ObjectIdentifier: Gauge] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func attach(connections: @escaping @Sendable () -> Int, inFlight: @escaping @Sendable () -> Int) {
        state.withLock {
            $0.connections = connections
            $0.inFlight = inFlight
        }
    }

    var openConnections: Int { state.withLock { $0.connections }?() ?? 0 }
    var requestsInFlight: Int { state.withLock { $0.inFlight }?() ?? 0 }

    /// Unregisters the table gauges of the previous scrape that this one did not set again.
    func replaceTableGauges(with gauges: [Gauge], in metrics: ServerMetrics) {
        var current: [ObjectIdentifier: Gauge] = [:]
        for gauge in gauges { current[ObjectIdentifier(gauge)] = gauge }
        let stale = state.withLock { state -> [Gauge] in
            let old = state.tableGauges
            state.tableGauges = current
            return old.filter { current[$0.key] == nil }.map(\.value)
        }
        for gauge in stale { metrics.registry.unregisterGauge(gauge) }
    }
}
