import KVStore

/// The errors a fault rule can answer with, each as DynamoDB sends it: type, HTTP status and text.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
/// (messages and codes) and https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html.
///
/// botocore's standard retry mode retries the throttling codes (ThrottlingException,
/// ProvisionedThroughputExceededException, RequestLimitExceeded) and the 500/502/503/504
/// statuses (botocore/retries/standard.py); TransactionConflictException, a 400 that is neither,
/// surfaces at once (`Tests/integration/test_faults.py` checks both).
public enum InjectedError: String, Sendable, CaseIterable {
    case internalServerError = "InternalServerError"
    case serviceUnavailable = "ServiceUnavailable"
    case throttling = "ThrottlingException"
    case provisionedThroughputExceeded = "ProvisionedThroughputExceededException"
    case transactionConflict = "TransactionConflictException"
    case requestLimitExceeded = "RequestLimitExceeded"

    /// The error for a request to `table` (for the ARN in a throttling answer).
    public func wireError(table: String?, region: String) -> WireError {
        switch self {
        case .internalServerError:
            return WireError(KVError.internalError())
        case .serviceUnavailable:
            return WireError(KVError(.serviceUnavailable, "DynamoDB is currently unavailable. (This should be a temporary state.)"))
        case .throttling:
            return WireError(KVError(.throttling, "Rate of requests exceeds the allowed throughput."))
        case .provisionedThroughputExceeded:
            guard let table else { return WireError(KVError(.provisionedThroughputExceeded, ThroughputExceeded.tableMessage)) }
            return ThroughputExceeded.error(table: table, index: nil, kind: .write, region: region)
        case .transactionConflict:
            return WireError(KVError(.transactionConflict, "Transaction is ongoing for the item"))
        case .requestLimitExceeded:
            return WireError(
                type: "com.amazonaws.dynamodb.v20120810#RequestLimitExceeded",
                message:
                    "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at https://aws.amazon.com/support request a limit increase"
            )
        }
    }
}
