import Testing

@testable import KVCtlCore

@Suite struct PrometheusTextTests {
    @Test func samplesWithLabelsAndEscapes() {
        let text = """
            # HELP x help
            # TYPE x counter
            plain 3
            with_labels{table="T",index=""} 1.5
            escaped{name="a\\"b\\\\c"} +Inf
            """
        let samples = PrometheusText.parse(text)
        #expect(samples.count == 3)
        #expect(samples[0] == MetricSample(name: "plain", labels: [:], value: 3))
        #expect(samples[1] == MetricSample(name: "with_labels", labels: ["table": "T", "index": ""], value: 1.5))
        #expect(samples[2].labels["name"] == "a\"b\\c")
        #expect(samples[2].value == .infinity)
    }

    @Test func malformedLinesAreSkipped() {
        #expect(PrometheusText.parse("x{a=\"1\" 2\nnovalue\ny{a=1} 2\n").isEmpty)
    }
}

@Suite struct TopViewTests {
    static func histogram(_ operation: String, _ table: String, _ counts: [(String, Double)]) -> [MetricSample] {
        let labels = ["operation": operation, "table": table]
        var samples = counts.map { bound, count in
            MetricSample(
                name: "dynamodb_successful_request_latency_seconds_bucket", labels: labels.merging(["le": bound]) { $1 },
                value: count)
        }
        samples.append(
            MetricSample(name: "dynamodb_successful_request_latency_seconds_count", labels: labels, value: counts.last?.1 ?? 0))
        return samples
    }

    @Test func ratesAndP99FromTwoScrapes() {
        let before = Self.histogram("GetItem", "T", [("0.001", 10), ("0.01", 10), ("+Inf", 10)])
            + [MetricSample(name: "dynamodb_consumed_read_capacity_units_total", labels: ["table": "T", "index": ""], value: 5)]
        // 200 more requests: 197 under 1 ms, 3 between 1 and 10 ms -> p99 bucket is 10 ms.
        let after = Self.histogram("GetItem", "T", [("0.001", 207), ("0.01", 210), ("+Inf", 210)])
            + [
                MetricSample(name: "dynamodb_consumed_read_capacity_units_total", labels: ["table": "T", "index": ""], value: 105),
                MetricSample(name: "dynamodb_throttled_requests_total", labels: ["operation": "PutItem", "table": "T"], value: 4),
                MetricSample(name: "dynamodb_user_errors_total", labels: ["operation": "PutItem", "table": "T"], value: 6),
            ]
        let view = TopView.compute(before: before, after: after, seconds: 2)
        #expect(view.operations.count == 2)
        let get = view.operations[0]
        #expect(get.operation == "GetItem" && get.requestsPerSecond == 100)
        #expect(get.p99Milliseconds == 10)
        let put = view.operations[1]
        #expect(put.requestsPerSecond == 5 && put.throttles == 4 && put.errors == 6 && put.p99Milliseconds == nil)
        #expect(view.tables == [
            TopView.TableRow(
                table: "T", requestsPerSecond: 105, readUnitsPerSecond: 50, writeUnitsPerSecond: 0, throttles: 4, errors: 6)
        ])
    }

    @Test func percentileBounds() {
        #expect(TopView.percentile(0.99, []) == nil)
        #expect(TopView.percentile(0.99, [(0.001, 0), (.infinity, 0)]) == nil)
        #expect(TopView.percentile(0.5, [(0.001, 60), (0.01, 100), (.infinity, 100)]) == 0.001)
        // Everything above the largest finite bound: that bound.
        #expect(TopView.percentile(0.99, [(0.001, 0), (0.01, 0), (.infinity, 5)]) == 0.01)
    }
}
