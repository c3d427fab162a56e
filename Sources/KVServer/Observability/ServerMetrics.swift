public import KVStore
import Prometheus
import Synchronization

/// The server's metrics, kept in a swift-prometheus registry and written out by `GET /metrics`
/// (see `MetricsRoute`).
///
/// Recording is on the request path, so it is kept cheap: the latency histogram of each
/// (operation, table) and the capacity counters of each (table, index) are looked up in the
/// registry once and then cached here (one uncontended lock and a dictionary probe per
/// request); counters are atomics. Error counters are looked up when an error happens. Gauges
/// that describe state (file sizes, item counts, connections) are computed at scrape time.
///
/// Label values come from the request only after the server knows them to be real (an
/// operation it routes, a table the request succeeded on), and the number of cached series is
/// bounded, so a client cannot grow the registry without limit.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Keyed by the `X-Amz-Target` value as received (no slicing or copying per request); the
    /// operation name is cut from it only when a series is created.
    struct SeriesKey: Hashable, Sendable {
        var target: String
        var table: String
    }

    struct CapacityKey: Hashable, Sendable {
        var table: String
        var index: String
        var write: Bool
    }

    private let latencies = Mutex<[SeriesKey: ValueHistogram]>([:])
    private let capacity = Mutex<[CapacityKey: Counter]>([:])
    /// Beyond this many (operation, table) or (table, index) series, new tables are recorded
    /// under `table="_other"`.
    static let maxSeries = 20_000
    static let overflowTable = "_other"

    /// SuccessfulRequestLatency's buckets, in seconds: 50 µs to 10 s.
    static let latencyBuckets: [Double] = [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    static let groupSizeBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    static let commitLatencyBuckets: [Double] = [
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
    ]

    private let groupCommitSize: ValueHistogram
    private let groupCommitLatency: ValueHistogram

    public init() {
        groupCommitSize = registry.makeValueHistogram(
            name: MetricName.groupCommitSize.name, buckets: Self.groupSizeBuckets, help: MetricName.groupCommitSize.help)
        groupCommitLatency = registry.makeValueHistogram(
            name: MetricName.groupCommitLatency.name, buckets: Self.commitLatencyBuckets,
            help: MetricName.groupCommitLatency.help)
    }

    /// The engine's hooks: group commits and TTL deletions recorded here.
    public var engineObservers: EngineObservers {
        EngineObservers(
            groupCommitted: { [self] writes, seconds in
                groupCommitSize.record(Double(writes))
                groupCommitLatency.record(seconds)
            },
            timeToLiveDeleted: { [self] table, count in
                counter(.timeToLiveDeleted, [("table", table)]).increment(by: Int64(count))
            })
    }

    // MARK: Recording

    /// One answered request of a known operation.
    struct Outcome: Sendable {
        /// `DynamoDB_20120810.GetItem`: a target the router knows.
        var target: String
        var operation: String { APIRequestProcessor.operationName(target) }
        /// The table the request named, or "" when none (or not known to be real).
        var table: String
        var status: Int
        var errorType: String?
        /// A TransactionCanceledException whose reasons include TransactionConflict.
        var transactionConflict = false
        var seconds: Double
        var responseBytes: Int
        var usage: RequestUsage.State?
        /// The access key of the request (the stream consumer, for GetRecords).
        var consumer: String?
    }

    func record(_ outcome: Outcome) {
        let usage = outcome.usage
        var table = outcome.table
        if table.isEmpty, let only = usage?.capacity.first?.tableName,
            usage?.capacity.allSatisfy({ $0.tableName == only }) == true
        {
            table = only
        }
        if let stream = usage?.stream, table.isEmpty { table = stream.table }
        if outcome.status == 200 {
            latency(target: outcome.target, table: table).record(outcome.seconds)
        } else {
            recordError(outcome, table: table)
        }
        if let usage {
            for consumed in usage.capacity { record(consumed) }
            if let items = usage.returnedItems {
                if let stream = usage.stream {
                    let labels = [("operation", outcome.operation), ("table", stream.table), ("stream", stream.label)]
                    counter(.returnedRecordsCount, labels).increment(by: Int64(items))
                    counter(.returnedBytes, labels).increment(by: Int64(outcome.responseBytes))
                    gauge(
                        .streamIteratorAge,
                        [("table", stream.table), ("stream", stream.label), ("consumer", outcome.consumer ?? "")]
                    ).set(Double(stream.behindNewestMillis))
                } else {
                    counter(.returnedItemCount, [("operation", outcome.operation), ("table", table)])
                        .increment(by: Int64(items))
                }
            }
        }
    }

    private func recordError(_ outcome: Outcome, table: String) {
        let labels = [("operation", outcome.operation), ("table", table)]
        switch ErrorKind(type: outcome.errorType, status: outcome.status) {
        case .throttling:
            counter(.throttledRequests, labels).increment()
            if let isWrite = OperationKind.isWrite(outcome.operation) {
                counter(isWrite ? .writeThrottleEvents : .readThrottleEvents, [("table", table), ("index", "")]).increment()
            }
        case .conditionalCheckFailed:
            counter(.conditionalCheckFailed, labels).increment()
        case .system:
            counter(.systemErrors, labels).increment()
        case .user:
            if outcome.errorType == "TransactionConflictException" || outcome.transactionConflict {
                counter(.transactionConflict, labels).increment()
            }
            counter(.userErrors, labels).increment()
        }
    }

    /// A table's share goes to `index=""` (local indexes are part of the table's capacity in
    /// DynamoDB), each global index's to its own series, so that the series add up to the
    /// `ConsumedCapacity.CapacityUnits` the requests returned.
    private func record(_ consumed: ConsumedCapacity) {
        let write: Bool
        switch consumed.kind {
        case .read, .transactionalRead: write = false
        case .write, .transactionalWrite: write = true
        }
        let tableUnits = consumed.table + consumed.localIndexes.values.reduce(0, +)
        if tableUnits > 0 {
            capacityCounter(CapacityKey(table: consumed.tableName, index: "", write: write)).increment(by: tableUnits)
        }
        for (index, units) in consumed.globalIndexes where units > 0 {
            capacityCounter(CapacityKey(table: consumed.tableName, index: index, write: write)).increment(by: units)
        }
    }

    /// Counts a fault injected by the fault rules (`kind`: the error type, `latency`, `drop`...).
    public func recordInjectedFault(operation: String, table: String, kind: String) {
        counter(.injectedFaults, [("operation", operation), ("table", table), ("kind", kind)]).increment()
    }

    /// Every metric in the text exposition format.
    func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }

    // MARK: Series

    private func latency(target: String, table: String) -> ValueHistogram {
        let key = SeriesKey(target: target, table: table)
        return latencies.withLock { cache in
            if let histogram = cache[key] { return histogram }
            let labelTable = cache.count < Self.maxSeries ? table : Self.overflowTable
            let histogram = registry.makeValueHistogram(
                name: MetricName.latency.name,
                labels: [("operation", APIRequestProcessor.operationName(target)), ("table", labelTable)],
                buckets: Self.latencyBuckets, help: MetricName.latency.help)
            if cache.count < Self.maxSeries { cache[key] = histogram }
            return histogram
        }
    }

    private func capacityCounter(_ key: CapacityKey) -> Counter {
        capacity.withLock { cache in
            if let counter = cache[key] { return counter }
            let name = key.write ? MetricName.consumedWrite : MetricName.consumedRead
            let labelTable = cache.count < Self.maxSeries ? key.table : Self.overflowTable
            let counter = registry.makeCounter(
                name: name.name, labels: [("table", labelTable), ("index", key.index)], help: name.help)
            if cache.count < Self.maxSeries { cache[key] = counter }
            return counter
        }
    }

    func counter(_ name: MetricName, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(name: name.name, labels: labels, help: name.help)
    }

    func gauge(_ name: MetricName, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(name: name.name, labels: labels, help: name.help)
    }

    func gauge(_ name: MetricName) -> Gauge {
        registry.makeGauge(name: name.name, help: name.help)
    }
}

/// How CloudWatch counts an error answer.
enum ErrorKind: Equatable {
    /// ThrottledRequests (and Read/WriteThrottleEvents); not a UserError.
    case throttling
    /// ConditionalCheckFailedRequests; not a UserError.
    case conditionalCheckFailed
    /// SystemErrors: HTTP 5xx.
    case system
    /// UserErrors: any other HTTP 4xx.
    case user

    /// The error types DynamoDB throttles with (ProvisionedThroughputExceededException for a
    /// table or index over its capacity, ThrottlingException for control-plane rates and
    /// on-demand maxima, RequestLimitExceeded for the account's request limit).
    static let throttlingTypes: Set<String> = [
        "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    ]

    init(type: String?, status: Int) {
        if let type, Self.throttlingTypes.contains(type) {
            self = .throttling
        } else if type == "ConditionalCheckFailedException" {
            self = .conditionalCheckFailed
        } else if status >= 500 {
            self = .system
        } else {
            self = .user
        }
    }
}

/// Which operations read and which write, for Read/WriteThrottleEvents.
enum OperationKind {
    static let reads: Set<String> = [
        "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "GetRecords", "GetShardIterator",
        "DescribeStream",
    ]
    static let writes: Set<String> = [
        "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
    ]

    /// true for a write, false for a read, nil for neither (control plane, PartiQL).
    static func isWrite(_ operation: String) -> Bool? {
        if writes.contains(operation) { return true }
        if reads.contains(operation) { return false }
        return nil
    }
}
