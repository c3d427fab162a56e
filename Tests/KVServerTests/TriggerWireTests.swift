import Testing

@testable import KVServer
@testable import KVStore

/// The pure parts of stream triggers on the server side: event filters, partial batch
/// answers, the triggers file, the request fields.
@Suite struct TriggerWireTests {
    static func parse(_ text: String) -> JSONValue {
        (try? JSONParser.parse(text)) ?? .null
    }

    static let record = parse(
        """
        {"eventName": "INSERT", "dynamodb": {"NewImage": {"status": {"S": "active"}, "score": {"N": "42"},
         "tags": {"SS": ["a", "b"]}}, "Keys": {"pk": {"S": "k1"}}}}
        """)

    /// Lambda's filter rule syntax. See https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
    @Test(arguments: [
        (#"{"eventName": ["INSERT"]}"#, true),
        (#"{"eventName": ["MODIFY", "REMOVE"]}"#, false),
        (#"{"dynamodb": {"NewImage": {"status": {"S": ["active"]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"prefix": "act"}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"suffix": "ive"}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["active"]}]}}}}"#, false),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": "idle"}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "ACTIVE"}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"score": {"N": [{"numeric": [">", 40, "<=", 42]}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"score": {"N": [{"numeric": ["<", 42]}]}}}}"#, false),
        (#"{"dynamodb": {"NewImage": {"score": {"N": [{"numeric": ["=", 42]}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"missing": [{"exists": false}]}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": [{"exists": true}]}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": [{"exists": false}]}}}"#, false),
        (#"{"dynamodb": {"NewImage": {"tags": {"SS": ["b"]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"tags": {"SS": ["c"]}}}}"#, false),
        (#"{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": ["k2"]}}}}"#, false),
    ])
    func filterPatterns(pattern: String, matches: Bool) throws {
        let filter = try EventFilter.parse([pattern]).get()
        #expect(filter.matches(Self.record) == matches)
    }

    @Test(arguments: ["not json", "[]", "{}", #"{"eventName": "INSERT"}"#, #"{"eventName": []}"#])
    func invalidPatterns(pattern: String) {
        #expect((try? EventFilter.parse([pattern]).get()) == nil)
    }

    /// See https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
    @Test(arguments: [
        ("", InvocationOutcome.success),
        ("null", .success),
        (#"{"batchItemFailures": []}"#, .success),
        (#"{"batchItemFailures": null}"#, .success),
        (#"{"other": 1}"#, .success),
        (#"{"batchItemFailures": [{"itemIdentifier": "000000000000000000007"}, {"itemIdentifier": "5"}]}"#, .partialFailure(firstFailed: 5)),
        (#"{"batchItemFailures": [{"itemIdentifier": ""}]}"#, .failure("a batchItemFailures entry without a valid itemIdentifier")),
        (#"{"batchItemFailures": [{"itemIdentifier": null}]}"#, .failure("a batchItemFailures entry without a valid itemIdentifier")),
        (#"{"batchItemFailures": [{"wrongKey": "5"}]}"#, .failure("a batchItemFailures entry without a valid itemIdentifier")),
    ])
    func partialBatchAnswers(body: String, outcome: InvocationOutcome) {
        #expect(TriggerEvent.outcome(ofPartialResponse: Array(body.utf8)) == outcome)
    }

    @Test func triggersFileInYAMLAndJSON() throws {
        let yaml = """
            EventSourceMappings:
              - TableName: orders
                FunctionName: http://127.0.0.1:9000/
                BatchSize: 10
              - TableName: orders
                Command: [sh, -c, "cat > /dev/null"]
                StartingPosition: LATEST
            """
        let entries = try TriggersFile.parse(yaml)
        #expect(entries.count == 2)
        #expect(entries[0].fields["BatchSize"] == .number("10"))
        #expect(entries[0].fields["StartingPosition"] == .string("TRIM_HORIZON"))
        #expect(entries[1].command == ["sh", "-c", "cat > /dev/null"])
        #expect(entries[0].uuid != entries[1].uuid)
        #expect(entries[0].uuid.count == 36)
        let json = #"{"EventSourceMappings": [{"TableName": "orders", "FunctionName": "http://127.0.0.1:9000/", "BatchSize": 10}]}"#
        let again = try TriggersFile.parse(json)
        // The same entry keeps its id whichever syntax and whenever it is read.
        #expect(again[0].uuid == entries[0].uuid)
    }

    @Test(arguments: [
        #"{"EventSourceMappings": [{"FunctionName": "f"}]}"#,
        #"{"EventSourceMappings": [{"TableName": "t"}]}"#,
        #"{"EventSourceMappings": [{"TableName": "t", "Command": []}]}"#,
        #"{"EventSourceMappings": {}}"#,
        "[1, 2]",
    ])
    func invalidTriggersFiles(text: String) {
        #expect(throws: MappingError.self) { try TriggersFile.parse(text) }
    }

    @Test(arguments: [
        (#"{"BatchSize": 0}"#, false), (#"{"BatchSize": 10000}"#, true), (#"{"BatchSize": 10001}"#, false),
        (#"{"MaximumRecordAgeInSeconds": -1}"#, true), (#"{"MaximumRecordAgeInSeconds": 59}"#, false),
        (#"{"MaximumRetryAttempts": -2}"#, false), (#"{"ParallelizationFactor": 10}"#, true),
        (#"{"FunctionResponseTypes": ["ReportBatchItemFailures"]}"#, true), (#"{"Enabled": "yes"}"#, false),
        (#"{"DestinationConfig": {"OnFailure": {"Destination": "/tmp/x.jsonl"}}}"#, true),
        (#"{"FilterCriteria": {"Filters": [{"Pattern": "{\"eventName\": [\"INSERT\"]}"}]}}"#, true),
        (#"{"FilterCriteria": {"Filters": [{"Pattern": "nope"}]}}"#, false),
    ])
    func requestFieldLimits(body: String, accepted: Bool) {
        guard case .object(let fields) = Self.parse(body) else { Issue.record("bad test input"); return }
        var mapping = EventSourceMapping(
            uuid: "u", eventSourceArn: "arn", tableName: "t", streamLabel: "l", functionName: "f",
            startingPosition: .latest, lastModified: 0)
        let result = Result { () throws(MappingError) in try MappingRequest.apply(fields, to: &mapping) }
        #expect((try? result.get()) != nil ? accepted : !accepted)
    }

    @Test(arguments: [
        ("http://127.0.0.1:9000/events?x=1", "127.0.0.1", 9000, "/events?x=1", false, "127.0.0.1:9000"),
        ("http://example.test", "example.test", 80, "/", false, "example.test"),
        ("http://[::1]:81/a", "::1", 81, "/a", false, "[::1]:81"),
        ("https://x/", "x", 443, "/", true, "x"),
        ("HTTPS://x:8443/f", "x", 8443, "/f", true, "x:8443"),
    ])
    func endpoints(url: String, host: String, port: Int, path: String, tls: Bool, hostHeader: String) throws {
        let endpoint = try #require(TriggerHTTPClient.Endpoint(url))
        #expect(endpoint.host == host && endpoint.port == port && endpoint.path == path)
        #expect(endpoint.tls == tls && endpoint.hostHeader == hostHeader)
    }

    @Test(arguments: ["ftp://x", "http://:80/", "http://h:99999/", "https://:443/"])
    func rejectedEndpoints(url: String) {
        #expect(TriggerHTTPClient.Endpoint(url) == nil)
    }
}
