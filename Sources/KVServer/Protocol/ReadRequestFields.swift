import KVStore

/// What Query and Scan read alike: Select, Limit, start key, filter and projection.
enum ReadRequestFields {
    /// In the order DynamoDB lists them in its enum constraint message.
    static let selectValues = ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"]

    struct Shape {
        var tableName: String?
        var indexName: String?
        var select: Select?
        var limit: Int64?
        var consistentRead: Bool
        var startKey: [String: JSONValue]?
    }

    /// - Parameter checksLimit: Scan reports `Limit` < 1 among the shape violations; Query checks
    ///   it later, once the table is known, with its own text (see `QueryOperation.checkLimit`).
    static func shape(
        _ request: WireObject, checksLimit: Bool = true, into violations: inout ConstraintViolations
    ) throws(KVError) -> Shape {
        let tableName = try TableName.read(request, minLength: 1, into: &violations)
        let indexName = try request.string("IndexName")
        violations.pattern(indexName, TableName.pattern, matches: TableName.isValidName, at: "indexName")
        violations.length(indexName, min: 3, max: 255, at: "indexName")
        let select = try request.string("Select")
        violations.oneOf(select, selectValues, at: "select")
        let limit = try request.integer("Limit")
        if checksLimit { violations.range(limit, min: 1, at: "limit") }
        // GetItem's and BatchGetItem's constraint (1...255 names) holds for Query and Scan too.
        let attributesToGet = try request.array("AttributesToGet")
        violations.count(
            attributesToGet, rendered: attributesToGet?.isEmpty == true ? "[]" : "[...]", min: 1, max: 255, at: "attributesToGet")
        violations.oneOf(try request.string("ReturnConsumedCapacity"), ["INDEXES", "TOTAL", "NONE"], at: "returnConsumedCapacity")
        violations.oneOf(try request.string("ConditionalOperator"), ["AND", "OR"], at: "conditionalOperator")
        return Shape(
            tableName: tableName, indexName: indexName, select: select.flatMap(Select.init(rawValue:)), limit: limit,
            consistentRead: try request.bool("ConsistentRead") ?? false, startKey: try request.map("ExclusiveStartKey"))
    }

    /// DynamoDB's rules tying `Select` to the projection parameters and the index, checked
    /// before the table is looked up. Query wraps the SPECIFIC_ATTRIBUTES text in the one-error
    /// envelope and Scan does not (as captured by nubo-db/dynoxide src/actions/query.rs).
    static func checkSelect(_ shape: Shape, request: WireObject, isQuery: Bool) throws(KVError) {
        let projectionField = request["AttributesToGet"] != nil ? "AttributesToGet" : request["ProjectionExpression"] != nil ? "ProjectionExpression" : nil
        guard let select = shape.select else { return }
        if select == .specificAttributes, projectionField == nil {
            let text = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
            throw KVError.validation(isQuery ? "1 validation error detected: " + text : text)
        }
        if select != .specificAttributes, let projectionField {
            let shown = select == .count ? "only the Count" : select.rawValue
            throw KVError.validation("Cannot specify the \(projectionField) when choosing to get \(shown)")
        }
        if select == .allProjectedAttributes, shape.indexName == nil {
            throw KVError.validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")
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
            consistentRead: shape.consistentRead,
            returnsStoredItems: true)
    }

    /// - Throws: when a stored item is corrupt.
    static func response(_ page: ReadPage, select: Select?) throws -> JSONValue {
        var fields: [String: JSONValue] = [
            "Count": .number(String(page.count)),
            "ScannedCount": .number(String(page.scannedCount)),
        ]
        if select != .count {
            fields["Items"] =
                page.storedItems.isEmpty
                ? .array(page.items.map(AttributeValueWire.responseItem)) : try StoredItemWire.array(page.storedItems)
        }
        if let key = page.lastEvaluatedKey {
            fields["LastEvaluatedKey"] = AttributeValueWire.responseItem(key)
        }
        return .object(fields)
    }
}
