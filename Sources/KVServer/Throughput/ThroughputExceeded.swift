import KVStore

/// DynamoDB's answers to a request over its table's or index's provisioned throughput.
///
/// `ProvisionedThroughputExceededException` (400, retried by the SDKs) with DynamoDB's text and
/// a `ThrottlingReasons` entry naming the resource and `Table|Index` + `Read|Write` +
/// `ProvisionedThroughputExceeded`.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ThrottlingReason.html
/// and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
public enum ThroughputExceeded {
    public static let tableMessage =
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."
    public static let indexMessage =
        "The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API"

    /// The error for `table` (or its global secondary `index`) out of `kind` capacity.
    public static func error(table: String, index: String?, kind: CapacityKind, region: String) -> WireError {
        let tableARN = TableName.arn(table, region: region)
        let resource = index.map { tableARN + "/index/" + $0 } ?? tableARN
        let reason = (index == nil ? "Table" : "Index") + kind.rawValue + "ProvisionedThroughputExceeded"
        var error = WireError(KVError(.provisionedThroughputExceeded, index == nil ? tableMessage : indexMessage))
        error.extraMembers.append(
            (
                key: "ThrottlingReasons",
                value: .array([.object(["reason": .string(reason), "resource": .string(resource)])])
            ))
        return error
    }
}
