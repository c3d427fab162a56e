import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeLimits.html
/// DynamoDB's default quotas per account and table in a region (Service, account, and table
/// quotas: 80,000 read and write units per account, 40,000 per table). Nothing enforces them here.
enum DescribeLimitsOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        _ = try WireObject(body)
        return .object([
            "AccountMaxReadCapacityUnits": .number("80000"),
            "AccountMaxWriteCapacityUnits": .number("80000"),
            "TableMaxReadCapacityUnits": .number("40000"),
            "TableMaxWriteCapacityUnits": .number("40000"),
        ])
    }
}
