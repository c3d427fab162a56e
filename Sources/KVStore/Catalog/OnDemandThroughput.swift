/// An on-demand table's optional maximum throughput (`OnDemandThroughput`): request units per
/// second above which DynamoDB throttles; nil or -1 means no maximum.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_OnDemandThroughput.html
public struct OnDemandThroughput: Sendable, Hashable, Codable {
    public var maxReadRequestUnits: Int64?
    public var maxWriteRequestUnits: Int64?

    public init(maxReadRequestUnits: Int64?, maxWriteRequestUnits: Int64?) {
        self.maxReadRequestUnits = maxReadRequestUnits
        self.maxWriteRequestUnits = maxWriteRequestUnits
    }
}
