import KVStore

/// What Query and Scan read alike: Select, Limit, start key, filter and projection.
enum ReadRequestFields {
    static let selectValues = ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"]

    struct Shape {
        var tableName: String?
        var indexName: String?
        var select: Select?
        var limit: Int64?
        var consistentRead: Bool
        var startKey: [String: JSONValue]?
    }

    static func shape(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) -> Shape {
        let tableName = try TableName.read(request, minLength: 1, into: &violations)
        let indexName = try request.string("IndexName")
        violations.pattern(indexName, TableName.pattern, matches: TableName.isValidName, at: "indexName")
        violations.length(indexName, min: 3, max: 255, at: "indexName")
        let select = try request.string("Select")
        violations.oneOf(select, selectValues, at: "select")
        let limit = try request.integer("Limit")
        violations.range(limit, min: 1, at: "limit")
        violations.oneOf(try request.string("ReturnConsumedCapacity"), ["INDEXES", "TOTAL", "NONE"], at: "returnConsumedCapacity")
        violations.oneOf(try request.string("ConditionalOperator"), ["AND", "OR"], at: "conditionalOperator")
        return Shape(
            tableName: tableName, indexName: indexName, select: select.flatMap(Select.init(rawValue:)), limit: limit,
            consistentRead: try request.bool("ConsistentRead") ?? false, startKey: try request.map("ExclusiveStartKey"))
    }

    /// DynamoDB's rules tying `Select` to the projection parameters.
    static func checkSelect(_ shape: Shape, request: WireObject) throws(KVError) {
        let projectionField = request["AttributesToGet"] != nil ? "AttributesToGet" : request["ProjectionExpression"] != nil ? "ProjectionExpression" : nil
        if let select = shape.select {
            if select == .specificAttributes, projectionField == nil {
                throw KVError.validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")
            }
            if select != .specificAttributes, let projectionField {
                throw KVError.validation("Cannot specify the \(projectionField) when choosing to get \(select.rawValue)")
            }
        }
    }

    static func options(
        _ shape: Shape, filter: ConditionExpression?, projection: ProjectionExpression?
    ) throws(KVError) -> ReadOptions {
        var startKey: Item?
        if let fields = shape.startKey {
            startKey = try AttributeValueWire.decodeItem(fields)
        }
        var filterClosure: (@Sendable (Item) -> Bool)?
        if let filter {
            filterClosure = { item in filter.evaluate(item) }
        }
        var projectionClosure: (@Sendable (Item) -> Item)?
        if let projection {
            projectionClosure = { item in projection.apply(to: item) }
        }
        return ReadOptions(
            indexName: shape.indexName,
            filter: filterClosure,
            projection: projectionClosure,
            projectedAttributes: projection?.topLevelNames,
            select: shape.select ?? (projection != nil ? .specificAttributes : nil),
            limit: shape.limit.map { Int(clamping: $0) },
            exclusiveStartKey: startKey,
            consistentRead: shape.consistentRead)
    }

    static func response(_ page: ReadPage, select: Select?) -> JSONValue {
        var fields: [String: JSONValue] = [
            "Count": .number(String(page.count)),
            "ScannedCount": .number(String(page.scannedCount)),
        ]
        if select != .count {
            fields["Items"] = .array(page.items.map(AttributeValueWire.encodeItem))
        }
        if let key = page.lastEvaluatedKey {
            fields["LastEvaluatedKey"] = AttributeValueWire.encodeItem(key)
        }
        return .object(fields)
    }
}
