public import KVStore

/// The DynamoDB API operations, keyed by the operation name of `X-Amz-Target`.
public enum DynamoDBOperations {
    public static func handlers(engine: KVEngine) -> [String: OperationHandler] {
        [:]
    }
}
