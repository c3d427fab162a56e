import KVStore
import Testing

@testable import KVServer

@Suite("Metrics and access log: pure parts")
struct ObservabilityTests {
    @Test(
        "error type read from an error body",
        arguments: [
            (#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"x"}"#, "ResourceNotFoundException"),
            (#"{"__type":"com.amazon.coral.validate#ValidationException","message":"x"}"#, "ValidationException"),
            (#"{"__type":"ThrottlingException"}"#, "ThrottlingException"),
            (#"{"message":"no type"}"#, nil),
            (#"{"__type":"unterminated"#, nil),
            ("", nil),
        ] as [(String, String?)])
    func errorType(body: String, expected: String?) {
        #expect(RequestObserver.errorType(Array(body.utf8)) == expected)
    }

    @Test("table names and ARNs of a request body")
    func tableName() throws {
        #expect(RequestObserver.tableName(try JSONParser.parse(#"{"TableName":"Orders"}"#)) == "Orders")
        #expect(
            RequestObserver.tableName(try JSONParser.parse(#"{"TableName":"arn:aws:dynamodb:us-east-1:1:table/Orders"}"#))
                == "Orders")
        #expect(
            RequestObserver.tableName(
                try JSONParser.parse(#"{"TableName":"arn:aws:dynamodb:us-east-1:1:table/Orders/index/ByG"}"#)) == "Orders")
        #expect(RequestObserver.tableName(try JSONParser.parse(#"{"TableName":5}"#)) == "")
        #expect(RequestObserver.tableName(.null) == "")
    }

    @Test(
        "CloudWatch's error classes",
        arguments: [
            ("ProvisionedThroughputExceededException", 400, ErrorKind.throttling),
            ("ThrottlingException", 400, .throttling),
            ("RequestLimitExceeded", 400, .throttling),
            ("ConditionalCheckFailedException", 400, .conditionalCheckFailed),
            ("InternalServerError", 500, .system),
            ("ServiceUnavailable", 503, .system),
            ("ValidationException", 400, .user),
            ("TransactionCanceledException", 400, .user),
        ] as [(String, Int, ErrorKind)])
    func errorKind(type: String, status: Int, expected: ErrorKind) {
        #expect(ErrorKind(type: type, status: status) == expected)
    }

    @Test("capacity goes to the table and to each global index; the series add up to the total")
    func capacitySplit() {
        let metrics = ServerMetrics()
        var usage = RequestUsage.State()
        usage.capacity = [
            ConsumedCapacity(tableName: "T", kind: .write, table: 2, globalIndexes: ["G": 1], localIndexes: ["L": 1]),
            ConsumedCapacity(tableName: "T", kind: .read, table: 0.5),
        ]
        metrics.record(
            ServerMetrics.Outcome(
                target: "DynamoDB_20120810.PutItem", table: "T", status: 200, errorType: nil, seconds: 0.001, responseBytes: 2,
                usage: usage))
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"dynamodb_consumed_write_capacity_units_total{table="T",index=""} 3.0"#))
        #expect(text.contains(#"dynamodb_consumed_write_capacity_units_total{table="T",index="G"} 1.0"#))
        #expect(text.contains(#"dynamodb_consumed_read_capacity_units_total{table="T",index=""} 0.5"#))
        #expect(text.contains(#"dynamodb_successful_request_latency_seconds_count{operation="PutItem",table="T"} 1"#))
    }

    @Test("a throttled write counts ThrottledRequests and WriteThrottleEvents, not UserErrors")
    func throttles() {
        let metrics = ServerMetrics()
        metrics.record(
            ServerMetrics.Outcome(
                target: "DynamoDB_20120810.PutItem", table: "T", status: 400, errorType: "ProvisionedThroughputExceededException",
                seconds: 0.001, responseBytes: 100))
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"dynamodb_throttled_requests_total{operation="PutItem",table="T"} 1"#))
        #expect(text.contains(#"dynamodb_write_throttle_events_total{table="T",index=""} 1"#))
        #expect(!text.contains("dynamodb_user_errors_total"))
        #expect(!text.contains("dynamodb_successful_request_latency_seconds_count"))
    }

    @Test("injected faults are counted by operation, table and kind")
    func injectedFaults() {
        let metrics = ServerMetrics()
        metrics.recordInjectedFault(operation: "PutItem", table: "Q", kind: "InternalServerError")
        metrics.recordInjectedFault(operation: "PutItem", table: "Q", kind: "InternalServerError")
        let text = String(decoding: metrics.exposition(), as: UTF8.self)
        #expect(text.contains(#"kvserver_injected_faults_total{operation="PutItem",table="Q",kind="InternalServerError"} 2"#))
    }

    @Test("access log line: fixed fields, no request content, fault only when set")
    func accessLogLine() throws {
        var entry = AccessLogEntry(
            time: 1_798_761_600.25, requestID: "RID", operation: "PutItem", table: "T", status: 400,
            errorType: "ConditionalCheckFailedException", latencySeconds: 0.0015, consumedCapacity: 1, bytesIn: 120,
            bytesOut: 90)
        let line = String(decoding: entry.jsonLine(), as: UTF8.self)
        #expect(line.hasSuffix("}\n"))
        let parsed = try JSONParser.parse(Array(line.utf8.dropLast()))
        guard case .object(let fields) = parsed else {
            Issue.record("not an object")
            return
        }
        #expect(fields["time"] == .string("2027-01-01T00:00:00.250Z"))
        #expect(fields["requestId"] == .string("RID"))
        #expect(fields["status"] == .number("400"))
        #expect(fields["errorType"] == .string("ConditionalCheckFailedException"))
        #expect(fields["fault"] == nil)
        entry.fault = "drop"
        entry.operation = nil
        entry.table = ""
        let second = try JSONParser.parse(Array(entry.jsonLine().dropLast()))
        guard case .object(let more) = second else { return }
        #expect(more["fault"] == .string("drop"))
        #expect(more["operation"] == .null)
        #expect(more["table"] == .null)
    }
}
