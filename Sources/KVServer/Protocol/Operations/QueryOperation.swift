import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
enum QueryOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let shape = try ReadRequestFields.shape(request, into: &violations)
        let forward = try request.bool("ScanIndexForward") ?? true
        try violations.check()
        try ReadRequestFields.checkSelect(shape, request: request, isQuery: true)
        var expressions = try ExpressionParameters(
            request, expressions: ["KeyConditionExpression", "FilterExpression", "ProjectionExpression"],
            legacy: ["KeyConditions", "QueryFilter", "ConditionalOperator", "AttributesToGet"])
        let keyExpression = try request.string("KeyConditionExpression")
        let legacyKeys = try request.map("KeyConditions")
        if keyExpression == nil && legacyKeys == nil {
            throw KVError.validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
        }
        let filter = try expressions.condition("FilterExpression", kind: .filter)
            ?? expressions.legacyCondition("QueryFilter", isFilter: true)
        let projection = try expressions.projection()
        let schema = try engine.keySchema(tableName: shape.tableName ?? "", indexName: shape.indexName)
        let keyCondition: KeyCondition
        if let keyExpression {
            keyCondition = try KeyCondition.parse(keyExpression, attributes: &expressions.attributes, schema: schema)
        } else {
            var conditions: [String: ExpectedCondition] = [:]
            for (name, value) in legacyKeys ?? [:] {
                conditions[name] = try ExpressionParameters.expectedCondition(value)
            }
            keyCondition = try KeyCondition.legacy(conditions, schema: schema)
        }
        try expressions.attributes.checkAllUsed()
        try checkFilterKeys(request, filter: filter, keyNames: schema.attributeNames)

        let options = try ReadRequestFields.options(shape, filter: filter, projection: projection)
        var query = QueryRequest(
            tableName: shape.tableName ?? "", partitionKeyValue: keyCondition.partitionValue,
            sortKeyCondition: keyCondition.sortCondition, scanIndexForward: forward, options: options)
        query.additionalPartitionKeyValues = keyCondition.additionalPartitionValues
        query.sortKeyPrefix = keyCondition.sortPrefix
        let page = try await engine.query(query)
        return CapacityWire.attach(
            page.consumedCapacity, mode: try CapacityWire.mode(request), to: try ReadRequestFields.response(page, select: options.select))
    }

    /// A Query filter may not name the key attributes of the table or index it reads
    /// (texts as captured by nubo-db/dynoxide src/actions/query.rs).
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.FilterExpression.html
    static func checkFilterKeys(_ request: WireObject, filter: ConditionExpression?, keyNames: [String]) throws(KVError) {
        if let legacy = try request.map("QueryFilter") {
            if let key = legacy.keys.sorted().first(where: keyNames.contains) {
                throw KVError.validation("QueryFilter can only contain non-primary key attributes: Primary key attribute: \(key)")
            }
        } else if let filter, let key = filter.topLevelNames.first(where: keyNames.contains) {
            throw KVError.validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: \(key)")
        }
    }
}
