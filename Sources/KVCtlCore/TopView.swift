import KVServer

/// The figures `kvctl top` shows, computed from two scrapes of `/metrics` taken `seconds` apart:
/// per operation and table, requests per second, p99 latency (from the histogram buckets'
/// increase), errors and throttles; per table, consumed capacity units per second.
struct TopView: Sendable, Equatable {
    struct OperationRow: Sendable, Equatable {
        var operation: String
        var table: String
        var requestsPerSecond: Double
        /// Upper bound of the bucket holding the 99th percentile, in milliseconds; nil without requests.
        var p99Milliseconds: Double?
        var errors: Double
        var throttles: Double
    }

    struct TableRow: Sendable, Equatable {
        var table: String
        var requestsPerSecond: Double
        var readUnitsPerSecond: Double
        var writeUnitsPerSecond: Double
        var throttles: Double
        var errors: Double
    }

    var operations: [OperationRow]
    var tables: [TableRow]

    static let latency = "dynamodb_successful_request_latency_seconds"
    static let errorMetrics = [
        "dynamodb_user_errors_total", "dynamodb_system_errors_total", "dynamodb_conditional_check_failed_requests_total",
    ]
    static let throttleMetric = "dynamodb_throttled_requests_total"

    struct Key: Hashable {
        var operation: String
        var table: String
    }

    /// - Parameters: before, after: two scrapes; seconds: the time between them (> 0).
    static func compute(before: [MetricSample], after: [MetricSample], seconds: Double, limit: Int = 10) -> TopView {
        let interval = max(seconds, 0.001)
        func index(_ samples: [MetricSample]) -> [String: Double] {
            var map: [String: Double] = [:]
            for sample in samples { map[identity(sample)] = sample.value }
            return map
        }
        let old = index(before)
        func delta(_ sample: MetricSample) -> Double {
            max(0, sample.value - (old[identity(sample)] ?? 0))
        }
        var successes: [Key: Double] = [:]
        var errors: [Key: Double] = [:]
        var throttles: [Key: Double] = [:]
        var buckets: [Key: [(Double, Double)]] = [:]
        var reads: [String: Double] = [:]
        var writes: [String: Double] = [:]
        for sample in after {
            let key = Key(operation: sample.labels["operation"] ?? "", table: sample.labels["table"] ?? "")
            switch sample.name {
            case latency + "_count": successes[key, default: 0] += delta(sample)
            case latency + "_bucket":
                let bound = sample.labels["le"].flatMap { $0 == "+Inf" ? Double.infinity : Double($0) } ?? .infinity
                buckets[key, default: []].append((bound, delta(sample)))
            case throttleMetric: throttles[key, default: 0] += delta(sample)
            case "dynamodb_consumed_read_capacity_units_total": reads[key.table, default: 0] += delta(sample)
            case "dynamodb_consumed_write_capacity_units_total": writes[key.table, default: 0] += delta(sample)
            default:
                if errorMetrics.contains(sample.name) { errors[key, default: 0] += delta(sample) }
            }
        }
        var keys = Set(successes.keys)
        keys.formUnion(errors.keys)
        keys.formUnion(throttles.keys)
        var rows: [OperationRow] = []
        for key in keys {
            let requests = (successes[key] ?? 0) + (errors[key] ?? 0) + (throttles[key] ?? 0)
            guard requests > 0 else { continue }
            rows.append(
                OperationRow(
                    operation: key.operation, table: key.table, requestsPerSecond: requests / interval,
                    p99Milliseconds: percentile(0.99, buckets[key] ?? []).map { $0 * 1000 },
                    errors: errors[key] ?? 0, throttles: throttles[key] ?? 0))
        }
        rows.sort { ($0.requestsPerSecond, $1.operation, $1.table) > ($1.requestsPerSecond, $0.operation, $0.table) }
        var tableRows: [String: TableRow] = [:]
        for row in rows where !row.table.isEmpty {
            var entry = tableRows[row.table] ?? TableRow(
                table: row.table, requestsPerSecond: 0, readUnitsPerSecond: 0, writeUnitsPerSecond: 0, throttles: 0, errors: 0)
            entry.requestsPerSecond += row.requestsPerSecond
            entry.throttles += row.throttles
            entry.errors += row.errors
            tableRows[row.table] = entry
        }
        for table in Set(reads.keys).union(writes.keys) where !table.isEmpty {
            var entry = tableRows[table] ?? TableRow(
                table: table, requestsPerSecond: 0, readUnitsPerSecond: 0, writeUnitsPerSecond: 0, throttles: 0, errors: 0)
            entry.readUnitsPerSecond = (reads[table] ?? 0) / interval
            entry.writeUnitsPerSecond = (writes[table] ?? 0) / interval
            tableRows[table] = entry
        }
        let tables = tableRows.values
            .filter { $0.requestsPerSecond > 0 || $0.readUnitsPerSecond > 0 || $0.writeUnitsPerSecond > 0 }
            .sorted { ($0.requestsPerSecond, $1.table) > ($1.requestsPerSecond, $0.table) }
        return TopView(operations: Array(rows.prefix(limit)), tables: Array(tables.prefix(limit)))
    }

    /// The upper bound of the first cumulative bucket reaching `quantile` of the count (as
    /// Prometheus' histogram_quantile bounds it); nil with no observations. The +Inf bucket
    /// answers the largest finite bound.
    static func percentile(_ quantile: Double, _ cumulative: [(Double, Double)]) -> Double? {
        let sorted = cumulative.sorted { $0.0 < $1.0 }
        guard let total = sorted.last?.1, total > 0 else { return nil }
        let largestFinite = sorted.last { $0.0.isFinite }?.0
        for (bound, count) in sorted where count >= quantile * total {
            return bound.isFinite ? bound : largestFinite
        }
        return largestFinite
    }

    static func identity(_ sample: MetricSample) -> String {
        sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
    }

    var json: JSONValue {
        func number(_ value: Double) -> JSONValue { .number(String((value * 1000).rounded() / 1000)) }
        return .object([
            "operations": .array(
                operations.map { row in
                    .object([
                        "operation": .string(row.operation), "table": .string(row.table),
                        "requestsPerSecond": number(row.requestsPerSecond),
                        "p99Ms": row.p99Milliseconds.map(number) ?? .null,
                        "errors": number(row.errors), "throttles": number(row.throttles),
                    ])
                }),
            "tables": .array(
                tables.map { row in
                    .object([
                        "table": .string(row.table), "requestsPerSecond": number(row.requestsPerSecond),
                        "readUnitsPerSecond": number(row.readUnitsPerSecond),
                        "writeUnitsPerSecond": number(row.writeUnitsPerSecond),
                        "throttles": number(row.throttles), "errors": number(row.errors),
                    ])
                }),
        ])
    }

    /// Two aligned tables for a terminal.
    func rendered() -> String {
        func fixed(_ value: Double, _ digits: Int = 1) -> String {
            let scale = digits == 0 ? 1.0 : (digits == 1 ? 10.0 : 100.0)
            let rounded = (value * scale).rounded() / scale
            return digits == 0 ? String(Int(rounded)) : String(rounded)
        }
        let tableText = TableText.render(
            header: ["TABLE", "REQ/S", "RCU/S", "WCU/S", "THROTTLES", "ERRORS"],
            rows: tables.map {
                [$0.table, fixed($0.requestsPerSecond), fixed($0.readUnitsPerSecond), fixed($0.writeUnitsPerSecond),
                 fixed($0.throttles, 0), fixed($0.errors, 0)]
            })
        let operationText = TableText.render(
            header: ["OPERATION", "TABLE", "REQ/S", "P99 MS", "THROTTLES", "ERRORS"],
            rows: operations.map {
                [$0.operation, $0.table.isEmpty ? "-" : $0.table, fixed($0.requestsPerSecond),
                 $0.p99Milliseconds.map { fixed($0, 2) } ?? "-", fixed($0.throttles, 0), fixed($0.errors, 0)]
            })
        return tableText + "\n" + operationText
    }
}
