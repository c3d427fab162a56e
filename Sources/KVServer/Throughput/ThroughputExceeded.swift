import KVStore

/// DynamoDB's answers to a request over its table's or index's throughput.
///
/// Over provisioned throughput: `ProvisionedThroughputExceededException` (400, retried by the
/// SDKs) with DynamoDB's text; over an on-demand table's `OnDemandThroughput` maximum:
/// `ThrottlingException`. Either carries a `ThrottlingReasons` entry naming the resource and
/// `Table|Index` + `Read|Write` + `ProvisionedThroughputExceeded|MaxOnDemandThroughputExceeded`.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ThrottlingReason.html
/// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
public enum ThroughputExceeded {
    public static let tableMessage =
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."
    public static let indexMessage =
        "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API"

    /// The text of a ThrottlingException for an on-demand table over its maximum. Not captured
    /// from DynamoDB: DynamoDB's own wording for this case was not found in its documentation.
    public static let onDemandMessage = "Throughput exceeds the maximum OnDemandThroughput configured on table or index"

    /// The error for `table` (or its global secondary `index`) out of `kind` capacity.
    public static func error(table: String, index: String?, kind: CapacityKind, onDemand: Bool = false, region: String)
        -> WireError
    {
        let tableARN = TableName.arn(table, region: region)
        let resource = index.map { tableARN + "/index/" + $0 } ?? tableARN
        let limit = onDemand ? "MaxOnDemandThroughputExceeded" : "ProvisionedThroughputExceeded"
        let reason = (index == nil ? "Table" : "Index") + kind.rawValue + limit
        var error =
            onDemand
            ? WireError(KVError(.throttling, onDemandMessage))
            : WireError(KVError(.provisionedThroughputExceeded, index == nil ? tableMessage : indexMessage))
        // The API model spells the member `ThrottlingReasons` on ProvisionedThroughputExceededException
        // and RequestLimitExceeded, `throttlingReasons` on ThrottlingException.
        error.extraMembers.append(
            (
                key: onDemand ? "throttlingReasons" : "ThrottlingReasons",
                value: .array([.object(["reason": .string(reason), "resource": .string(resource)])])
            ))
        return error
    }
}
