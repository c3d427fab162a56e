/// The one place an injected fault takes effect on a request (`APIRequestProcessor.run`):
/// first the added latency, then
/// - `drop: beforeCommit`: the connection is closed and the request never runs;
/// - `error`: DynamoDB's error answer, and the request never runs;
/// - `drop: afterCommit`: the request runs (its write commits), then the connection is closed
///   without the answer, so the client cannot tell whether the write happened;
/// - latency only: the request runs normally.
enum FaultEffect {
    static func apply(
        _ fault: FaultDecision, to call: APIRequestProcessor.Call, run: () async -> APIResponse
    ) async -> APIResponse {
        if fault.latencyMs > 0 {
            try? await Task.sleep(for: .milliseconds(fault.latencyMs))
        }
        if fault.drop == .beforeCommit {
            var dropped = APIResponse(status: 500, contentType: call.contentType, body: [])
            dropped.dropsConnection = true
            return dropped
        }
        if let error = fault.error {
            return APIResponse(
                error: error.wireError(table: table(in: call.input), region: call.context.region), contentType: call.contentType)
        }
        var response = await run()
        if fault.drop == .afterCommit { response.dropsConnection = true }
        return response
    }

    /// The table a request names: `TableName`, else the first of `RequestItems` or
    /// `TransactItems` (as the body lists them); nil for requests naming none.
    static func table(in input: JSONValue) -> String? {
        guard case .object(let fields) = input else { return nil }
        if case .string(let name)? = fields["TableName"] { return ThroughputAccess.plain(name) }
        if case .object(let tables)? = fields["RequestItems"], let name = tables.keys.sorted().first {
            return ThroughputAccess.plain(name)
        }
        if case .array(let actions)? = fields["TransactItems"] {
            for case .object(let action) in actions {
                for case .object(let body) in action.values {
                    if case .string(let name)? = body["TableName"] { return ThroughputAccess.plain(name) }
                }
            }
        }
        return nil
    }
}
