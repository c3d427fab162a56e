import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
enum QueryOperation {
    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        let shape = try ReadRequestFields.shape(request, checksLimit: false, into: &violations)
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
            ?? expressions.legacyCondition("QueryFilter")
        let projection = try expressions.projection()
        let schema = try engine.keySchema(tableName: shape.tableName ?? "", indexName: shape.indexName)
        try checkLimit(shape.limit)
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
        context.usage?.returned(items: page.count)
        return CapacityWire.attach(
            page.consumedCapacity, mode: try CapacityWire.mode(request), usage: context.usage, to: try ReadRequestFields.response(page, select: options.select))
    }

    /// Query checks `Limit` after the request shape and the table lookup, and words it unlike
    /// Scan's shape violation: member name capitalised, no value (Parity Suite
    /// tier3/error-messages/query and validation-ordering/query, validated against DynamoDB;
    /// nubo-db/dynoxide src/actions/query.rs checks it at the same point).
    static func checkLimit(_ limit: Int64?) throws(KVError) {
        if let limit, limit < 1 {
            throw KVError.validation(
                "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
        }
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
