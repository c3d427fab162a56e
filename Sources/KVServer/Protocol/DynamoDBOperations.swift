public import KVStore

/// The DynamoDB API operations, keyed by the operation name of `X-Amz-Target`.
public enum DynamoDBOperations {
    public static func handlers(engine: KVEngine) -> [String: OperationHandler] {
        // Errors that carry items (ALL_OLD on a failed condition, cancellation reasons) encode them here.
        if WireError.itemEncoder == nil {
            WireError.itemEncoder = { item in AttributeValueWire.encodeItem(item) }
        }
        func bind(
            _ operation: @escaping @Sendable (JSONValue, RequestContext, KVEngine) async throws -> JSONValue
        ) -> OperationHandler {
            { body, context in try await operation(body, context, engine) }
        }
        return [
            "CreateTable": bind(CreateTableOperation.handle),
            "DescribeTable": bind(DescribeTableOperation.handle),
            "ListTables": bind(ListTablesOperation.handle),
            "DeleteTable": bind(DeleteTableOperation.handle),
            "UpdateTable": bind(UpdateTableOperation.handle),
            "PutItem": bind(PutItemOperation.handle),
            "GetItem": bind(GetItemOperation.handle),
            "DeleteItem": bind(DeleteItemOperation.handle),
            "UpdateItem": bind(UpdateItemOperation.handle),
            "Query": bind(QueryOperation.handle),
            "Scan": bind(ScanOperation.handle),
            "BatchGetItem": bind(BatchGetItemOperation.handle),
            "BatchWriteItem": bind(BatchWriteItemOperation.handle),
            "TransactWriteItems": bind(TransactWriteItemsOperation.handle),
            "TransactGetItems": bind(TransactGetItemsOperation.handle),
            "TagResource": bind(TagResourceOperation.handle),
            "UntagResource": bind(UntagResourceOperation.handle),
            "ListTagsOfResource": bind(ListTagsOfResourceOperation.handle),
            "DescribeLimits": bind(DescribeLimitsOperation.handle),
            "DescribeEndpoints": bind(DescribeEndpointsOperation.handle),
        ]
    }
}
