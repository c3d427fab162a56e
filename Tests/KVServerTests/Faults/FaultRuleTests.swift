import Testing

@testable import KVServer

@Suite struct FaultRuleTests {
    static func parse(_ text: String) throws(FaultRuleError) -> [FaultRule] {
        try FaultRule.parseDocument(Array(text.utf8))
    }

    @Test func theIssuesExampleParses() throws {
        let rules = try Self.parse(
            #"{"faults": [{"operation": "PutItem", "table": "*", "probability": 0.1, "error": "InternalServerError"}, {"operation": "*", "table": "QueueTable", "everyNth": 5, "latencyMs": 200}, {"operation": "UpdateItem", "table": "*", "probability": 0.05, "drop": "afterCommit"}]}"#
        )
        #expect(rules.count == 3)
        #expect(rules[0].operation == "PutItem" && rules[0].frequency == .probability(0.1) && rules[0].error == .internalServerError)
        #expect(rules[1].table == "QueueTable" && rules[1].frequency == .everyNth(5) && rules[1].latencyMs == 200)
        #expect(rules[2].drop == .afterCommit)
        // What `json` writes, `parse` reads back.
        let again = try FaultRule.parseDocument(JSONWriter.encode(FaultRule.document(rules)))
        #expect(again == rules)
    }

    @Test func timesAreISO8601OrEpochSeconds() throws {
        let rules = try Self.parse(
            #"{"faults": [{"from": "2026-12-24T00:00:00Z", "until": 1798156800, "latencyMs": 1}]}"#)
        #expect(rules[0].from == 1_798_070_400)
        #expect(rules[0].until == 1_798_156_800)
    }

    @Test(arguments: [
        (#"[]"#, "expected {\"faults\": [...]}"),
        (#"{"faults": [{"error": "Nope"}]}"#, "faults[0].error: unknown error \"Nope\" (one of InternalServerError, ServiceUnavailable, ThrottlingException, ProvisionedThroughputExceededException, TransactionConflictException, RequestLimitExceeded)"),
        (#"{"faults": [{"operation": "PutItem"}]}"#, "faults[0]: give an effect: error, latencyMs or drop"),
        (#"{"faults": [{"probability": 2, "latencyMs": 1}]}"#, "faults[0].probability: must be between 0 and 1"),
        (#"{"faults": [{"everyNth": 0, "latencyMs": 1}]}"#, "faults[0].everyNth: must be a whole number of at least 1"),
        (#"{"faults": [{"everyNth": 2, "probability": 0.5, "latencyMs": 1}]}"#, "faults[0]: give either probability or everyNth, not both"),
        (#"{"faults": [{"drop": "later"}]}"#, "faults[0].drop: must be \"beforeCommit\" or \"afterCommit\""),
        (#"{"faults": [{"error": "ThrottlingException", "drop": "afterCommit"}]}"#, "faults[0]: error and drop exclude each other"),
        (#"{"faults": [{"latencyMs": 1, "colour": "red"}]}"#, "faults[0]: unknown field \"colour\""),
        (#"{"faults": [{"latencyMs": -5}]}"#, "faults[0].latencyMs: must be a whole number of milliseconds from 0 to 600000"),
        (#"{"faults": [{"latencyMs": 1, "from": "yesterday"}]}"#, "faults[0].from: must be an ISO 8601 time or seconds since 1970"),
        ("not json", "not JSON"),
    ])
    func badRulesAreRefusedWithTheReason(text: String, message: String) {
        #expect(throws: FaultRuleError(message)) { try Self.parse(text) }
    }

    @Test(arguments: InjectedError.allCases)
    func injectedErrorsHaveDynamoDBsTypeAndStatus(error: InjectedError) {
        let wire = error.wireError(table: "T", region: "us-east-1")
        #expect(wire.name == error.rawValue)
        let status: Int =
            switch error {
            case .internalServerError: 500
            case .serviceUnavailable: 503
            default: 400
            }
        #expect(wire.status == status)
        #expect(wire.message?.isEmpty == false)
    }
}
