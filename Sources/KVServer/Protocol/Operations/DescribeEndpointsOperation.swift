import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeEndpoints.html
/// SDKs with endpoint discovery send their requests to `Address`, so it names this server
/// (the `Host` the request was sent to); DynamoDB's answer, `dynamodb.<region>.amazonaws.com`,
/// is the fallback when a request carries no Host header.
enum DescribeEndpointsOperation {
    static let cachePeriodInMinutes = 1440

    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        _ = try WireObject(body)
        let address = context.host ?? "dynamodb.\(context.region).amazonaws.com"
        return .object([
            "Endpoints": .array([
                .object(["Address": .string(address), "CachePeriodInMinutes": .number(String(cachePeriodInMinutes))])
            ])
        ])
    }
}
