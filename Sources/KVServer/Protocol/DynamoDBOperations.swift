public import KVStore

/// The DynamoDB API operations, keyed by the operation name of `X-Amz-Target`.
public enum DynamoDBOperations {
    /// The router of the API: every handler, the inline handlers of the operations that can
    /// answer on the event loop (GetItem), and the body decoders of the operations that have
    /// one (BatchWriteItem, whose bodies are mostly items; GetItem and PutItem, the commonest requests).
    public static func router(engine: KVEngine) -> Router {
        var router = Router(operations: handlers(engine: engine), inlineOperations: inlineHandlers(engine: engine))
        router.register(
            bodyDecoder: { body in BatchWriteItemOperation.decodedBody(body, engine: engine) },
            forTarget: Router.dynamoDBTargetPrefix + "BatchWriteItem")
        // Verified requests decode too: IAM's allow cache keys a decoded item request by its
        // decoder's `TableName` (`AuthorizationInput.decodedTableName`).
        let readsInline = engine.readsInline
        router.register(
            bodyDecoder: { body in GetItemOperation.decodedBody(body, engine: engine, inline: readsInline) },
            forTarget: Router.dynamoDBTargetPrefix + "GetItem")
        router.register(
            bodyDecoder: { body in PutItemOperation.decodedBody(body, engine: engine) },
            forTarget: Router.dynamoDBTargetPrefix + "PutItem")
        return router
    }

    public static func handlers(engine: KVEngine) -> [String: OperationHandler] {
        // Several kvservers over one database (PostgreSQL): a table another node created is
        // found by re-reading the catalog (`KVEngine.retryingAfterCatalogMiss`). SQLite's
        // handlers stay direct.
        let shared = engine.catalogIsShared
        func bind(
            _ operation: @escaping @Sendable (JSONValue, RequestContext, KVEngine) async throws -> JSONValue
        ) -> OperationHandler {
            if shared {
                return { body, context in try await engine.retryingAfterCatalogMiss { try await operation(body, context, engine) } }
            }
            return { body, context in try await operation(body, context, engine) }
        }
        var handlers: [String: OperationHandler] = [
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
            "UpdateTimeToLive": bind(TimeToLiveOperations.update),
            "DescribeTimeToLive": bind(TimeToLiveOperations.describe),
            "ListStreams": bind(StreamOperations.listStreams),
            "DescribeStream": bind(StreamOperations.describeStream),
            "GetShardIterator": bind(StreamOperations.getShardIterator),
            "GetRecords": bind(StreamOperations.getRecords),
            "BatchGetItem": bind(BatchGetItemOperation.handle),
            "BatchWriteItem": bind(BatchWriteItemOperation.handle),
            "TransactWriteItems": bind(TransactWriteItemsOperation.handle),
            "TransactGetItems": bind(TransactGetItemsOperation.handle),
            "ExecuteStatement": bind(ExecuteStatementOperation.handle),
            "BatchExecuteStatement": bind(BatchExecuteStatementOperation.handle),
            "ExecuteTransaction": bind(ExecuteTransactionOperation.handle),
            "TagResource": bind(TagResourceOperation.handle),
            "UntagResource": bind(UntagResourceOperation.handle),
            "ListTagsOfResource": bind(ListTagsOfResourceOperation.handle),
            "DescribeLimits": bind(DescribeLimitsOperation.handle),
            "DescribeEndpoints": bind(DescribeEndpointsOperation.handle),
            "CreateBackup": bind(CreateBackupOperation.handle),
            "DescribeBackup": bind(DescribeBackupOperation.handle),
            "ListBackups": bind(ListBackupsOperation.handle),
            "DeleteBackup": bind(DeleteBackupOperation.handle),
            "RestoreTableFromBackup": bind(RestoreTableFromBackupOperation.handle),
            "UpdateContinuousBackups": bind(UpdateContinuousBackupsOperation.handle),
            "DescribeContinuousBackups": bind(DescribeContinuousBackupsOperation.handle),
            "RestoreTableToPointInTime": bind(RestoreTableToPointInTimeOperation.handle),
            "ExportTableToPointInTime": bind(ExportTableToPointInTimeOperation.handle),
            "DescribeExport": bind(DescribeExportOperation.handle),
            "ListExports": bind(ListExportsOperation.handle),
            "ImportTable": bind(ImportTableOperation.handle),
            "DescribeImport": bind(DescribeImportOperation.handle),
            "ListImports": bind(ListImportsOperation.handle),
        ]
        if shared {
            // Operations that answer or change a table's definition read the catalog again
            // first: another node may have created, updated or deleted the table (or enabled,
            // disabled or dropped its stream: ListStreams and DescribeStream answer from it;
            // GetShardIterator and GetRecords find a dropped stream's shard gone and re-read).
            for operation in [
                "ListTables", "DescribeTable", "UpdateTable", "DeleteTable", "UpdateTimeToLive", "DescribeTimeToLive",
                "TagResource", "UntagResource", "ListTagsOfResource", "ListStreams", "DescribeStream",
            ] {
                guard let handler = handlers[operation] else { continue }
                handlers[operation] = { body, context in
                    await engine.refreshCatalog()
                    return try await handler(body, context)
                }
            }
        }
        return handlers
    }

    /// Operations that can also answer on the event loop (see `InlineOperationHandler`).
    public static func inlineHandlers(engine: KVEngine) -> [String: InlineOperationHandler] {
        // Only SQLite reads on the calling thread; other backends answer every request in a task.
        guard engine.readsInline else { return [:] }
        return ["GetItem": { body, context in try GetItemOperation.handleNow(body, context, engine: engine) }]
    }
}
