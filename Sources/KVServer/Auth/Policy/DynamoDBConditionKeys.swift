import KVStore

/// DynamoDB's own condition keys for one table access (fine-grained access control):
/// - `dynamodb:LeadingKeys`: the partition-key values of the items the access addresses
///   (for a Query, the partition-key value of its key condition, on the table or index queried);
/// - `dynamodb:Attributes`: the top-level attribute names the request names: "read, written, or
///   evaluated in a conditional write or scan filter" (key attributes, projection /
///   `AttributesToGet`, the item of a put, the targets and operands of an update, the condition
///   or filter expression and their legacy forms, the key condition of a Query), which is why
///   the docs require policies to list the key attributes;
/// - `dynamodb:Select`: the request's `Select`, or what DynamoDB defaults it to: "the Select
///   parameter always has a value (ALL_ATTRIBUTES, unless otherwise specified)";
///   `SPECIFIC_ATTRIBUTES` with a projection, `ALL_PROJECTED_ATTRIBUTES` on an index;
/// - `dynamodb:ReturnValues`: the request's, else `NONE` for item writes ("the ReturnValues
///   parameter always has a value (NONE unless otherwise specified)");
/// - `dynamodb:ReturnConsumedCapacity`: as the request gives it.
///
/// Values are read from the request as sent; a part that does not parse leaves its key out (the
/// handler then rejects the request with DynamoDB's own ValidationException, nothing is read or written).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
struct DynamoDBConditionKeys: Sendable, Equatable {
    private(set) var leadingKeys: [String]?
    private(set) var attributes: [String]?
    var select: String?
    var returnValues: String?
    /// What the lists hold, so that adding stays linear (an item may have tens of thousands of attributes).
    private var seenLeadingKeys: Set<String> = []
    private var seenAttributes: Set<String> = []

    init() {}

    /// Starts both lists present but empty (a batch write names them even when it is empty).
    static func emptyLists() -> DynamoDBConditionKeys {
        var keys = DynamoDBConditionKeys()
        keys.leadingKeys = []
        keys.attributes = []
        return keys
    }

    var context: IAMContext {
        var context = IAMContext()
        if let leadingKeys { context["dynamodb:LeadingKeys"] = leadingKeys }
        if let attributes { context["dynamodb:Attributes"] = attributes }
        if let select { context.set("dynamodb:Select", select) }
        if let returnValues { context.set("dynamodb:ReturnValues", returnValues) }
        return context
    }

    mutating func startLeadingKeys() {
        if leadingKeys == nil { leadingKeys = [] }
    }

    mutating func addLeadingKey(_ value: String?) {
        guard let value else { return }
        if leadingKeys == nil { leadingKeys = [] }
        if seenLeadingKeys.insert(value).inserted { leadingKeys?.append(value) }
    }

    /// Adds names; an access that names no attribute keeps the key absent.
    mutating func addAttributes(_ names: [String]) {
        guard attributes != nil || !names.isEmpty else { return }
        if attributes == nil { attributes = [] }
        for name in names where seenAttributes.insert(name).inserted { attributes?.append(name) }
    }

    /// Drops the attribute list: a part of the request did not parse, so the list would be incomplete.
    mutating func forgetAttributes() {
        attributes = nil
        seenAttributes = []
    }
}

/// Reads `DynamoDBConditionKeys` from the parts of a request that address one table.
struct DynamoDBConditionKeyReader {
    let catalog: IAMResourceCatalog
    /// False when no policy of the caller mentions a `dynamodb:` key: every access then reads as
    /// empty, and a request costs no expression parsing for its authorization.
    var enabled = true

    // MARK: - Item accesses

    /// GetItem, a TransactGetItems `Get`: the key, the projection, the implied Select.
    func read(table: String, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = DynamoDBConditionKeys()
        if case .object(let key)? = fields["Key"] { addItem(key, table: table, to: &keys) }
        applyProjection(fields, index: nil, to: &keys)
        return keys
    }

    /// BatchGetItem's entry for one table: all its keys, its projection.
    func batchRead(table: String, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = DynamoDBConditionKeys()
        if case .array(let list)? = fields["Keys"] {
            keys.startLeadingKeys()
            for case .object(let key) in list { addItem(key, table: table, to: &keys) }
        }
        applyProjection(fields, index: nil, to: &keys)
        return keys
    }

    /// PutItem, a TransactWriteItems `Put`: the item and the condition.
    func put(table: String, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = DynamoDBConditionKeys()
        if case .object(let item)? = fields["Item"] { addItem(item, table: table, to: &keys) }
        applyCondition(fields, to: &keys)
        keys.returnValues = string(fields["ReturnValues"]) ?? "NONE"
        return keys
    }

    /// DeleteItem, a TransactWriteItems `Delete`: the key and the condition.
    func delete(table: String, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = conditionCheck(table: table, fields)
        keys.returnValues = string(fields["ReturnValues"]) ?? "NONE"
        return keys
    }

    /// A TransactWriteItems `ConditionCheck`: the key and the condition.
    func conditionCheck(table: String, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = DynamoDBConditionKeys()
        if case .object(let key)? = fields["Key"] { addItem(key, table: table, to: &keys) }
        applyCondition(fields, to: &keys)
        return keys
    }

    /// UpdateItem, a TransactWriteItems `Update`: the key, what the update reads and writes, the condition.
    func update(table: String, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = delete(table: table, fields)
        if case .string(let text)? = fields["UpdateExpression"] {
            var attributes = expressionAttributes(fields)
            if let expression = try? UpdateExpression.parse(text, attributes: &attributes) {
                keys.addAttributes(expression.topLevelNames.sorted())
            } else {
                keys.forgetAttributes()
            }
        } else if case .object(let updates)? = fields["AttributeUpdates"] {
            keys.addAttributes(updates.keys.sorted())
        }
        return keys
    }

    /// BatchWriteItem's requests for one table.
    func batchWrite(table: String, _ requests: [JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = DynamoDBConditionKeys.emptyLists()
        for case .object(let request) in requests {
            if case .object(let put)? = request["PutRequest"], case .object(let item)? = put["Item"] {
                addItem(item, table: table, to: &keys)
            }
            if case .object(let delete)? = request["DeleteRequest"], case .object(let key)? = delete["Key"] {
                addItem(key, table: table, to: &keys)
            }
        }
        return keys
    }

    // MARK: - Queries and scans

    /// The key condition's value and attributes, the projection, the filter.
    func query(table: String, index: String?, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = DynamoDBConditionKeys()
        applyKeyCondition(table: table, index: index, fields, to: &keys)
        applyProjection(fields, index: index, to: &keys)
        applyFilter(fields, legacy: "QueryFilter", to: &keys)
        return keys
    }

    func scan(index: String?, _ fields: [String: JSONValue]) -> DynamoDBConditionKeys {
        guard enabled else { return DynamoDBConditionKeys() }
        var keys = DynamoDBConditionKeys()
        applyProjection(fields, index: index, to: &keys)
        applyFilter(fields, legacy: "ScanFilter", to: &keys)
        return keys
    }

    // MARK: - Pieces

    private func addItem(_ item: [String: JSONValue], table: String, to keys: inout DynamoDBConditionKeys) {
        keys.addLeadingKey(leadingKey(of: item, table: table))
        keys.addAttributes(item.keys.sorted())
    }

    /// The partition-key value of a key or item, as text (`S` and `N` as written, `B` in base64).
    /// Without the key schema, only a key of one attribute says which one that is.
    func leadingKey(of key: [String: JSONValue], table: String) -> String? {
        if let name = catalog.keySchema(table, nil)?.partitionKey.name { return key[name].flatMap(Self.keyText) }
        if key.count == 1, let only = key.values.first { return Self.keyText(only) }
        return nil
    }

    static func keyText(_ value: JSONValue) -> String? {
        guard case .object(let typed) = value, typed.count == 1, let (type, content) = typed.first,
            ["S", "N", "B"].contains(type), case .string(let text) = content
        else { return nil }
        return text
    }

    /// The partition-key value (`dynamodb:LeadingKeys`) and the key attribute names of a Query's
    /// `KeyConditionExpression` or legacy `KeyConditions`, on the table or index queried.
    private func applyKeyCondition(
        table: String, index: String?, _ fields: [String: JSONValue], to keys: inout DynamoDBConditionKeys
    ) {
        if case .object(let conditions)? = fields["KeyConditions"] {
            keys.addAttributes(conditions.keys.sorted())
            if let schema = catalog.keySchema(table, index),
                case .object(let condition)? = conditions[schema.partitionKey.name],
                case .array(let values)? = condition["AttributeValueList"], let first = values.first
            {
                keys.addLeadingKey(Self.keyText(first))
            }
            return
        }
        guard case .string(let text)? = fields["KeyConditionExpression"], let schema = catalog.keySchema(table, index)
        else { return }
        var attributes = expressionAttributes(fields)
        guard
            let condition = try? KeyCondition.parse(
                text, attributes: &attributes, partitionKey: schema.partitionKey.name, sortKey: schema.sortKey?.name)
        else { return }
        keys.addAttributes([schema.partitionKey.name])
        if condition.sortCondition != nil, let sortKey = schema.sortKey { keys.addAttributes([sortKey.name]) }
        switch condition.partitionValue {
        case .string(let text): keys.addLeadingKey(text)
        case .number(let number): keys.addLeadingKey(number.description)
        case .binary(let bytes): keys.addLeadingKey(Base64.encode(bytes))
        default: break
        }
    }

    /// `ConditionExpression` (or legacy `Expected`) of a write.
    private func applyCondition(_ fields: [String: JSONValue], to keys: inout DynamoDBConditionKeys) {
        applyExpression(fields, field: "ConditionExpression", kind: .condition, legacy: "Expected", to: &keys)
    }

    /// `FilterExpression` (or legacy `QueryFilter` / `ScanFilter`) of a read.
    private func applyFilter(_ fields: [String: JSONValue], legacy: String, to keys: inout DynamoDBConditionKeys) {
        applyExpression(fields, field: "FilterExpression", kind: .filter, legacy: legacy, to: &keys)
    }

    private func applyExpression(
        _ fields: [String: JSONValue], field: String, kind: ConditionKind, legacy: String,
        to keys: inout DynamoDBConditionKeys
    ) {
        if case .string(let text)? = fields[field] {
            var attributes = expressionAttributes(fields)
            if let expression = try? ConditionExpression.parse(text, kind: kind, attributes: &attributes) {
                keys.addAttributes(expression.topLevelNames)
            }
        } else if case .object(let conditions)? = fields[legacy] {
            keys.addAttributes(conditions.keys.sorted())
        }
    }

    private func applyProjection(_ fields: [String: JSONValue], index: String?, to keys: inout DynamoDBConditionKeys) {
        var projected = false
        if case .string(let text)? = fields["ProjectionExpression"] {
            var attributes = expressionAttributes(fields)
            if let projection = try? ProjectionExpression.parse(text, attributes: &attributes) {
                keys.addAttributes(projection.paths.compactMap(\.topLevelName))
            }
            projected = true
        } else if case .array(let names)? = fields["AttributesToGet"] {
            keys.addAttributes(names.compactMap { if case .string(let name) = $0 { name } else { nil } })
            projected = true
        }
        keys.select =
            string(fields["Select"])
            ?? (projected ? "SPECIFIC_ATTRIBUTES" : index == nil ? "ALL_ATTRIBUTES" : "ALL_PROJECTED_ATTRIBUTES")
    }

    /// The request's `ExpressionAttributeNames`/`Values`; values that do not decode are left out
    /// (the expression then fails to resolve and its key stays absent).
    private func expressionAttributes(_ fields: [String: JSONValue]) -> ExpressionAttributes {
        var names: [String: String] = [:]
        if case .object(let given)? = fields["ExpressionAttributeNames"] {
            for (key, value) in given { if case .string(let name) = value { names[key] = name } }
        }
        var values: [String: AttributeValue] = [:]
        if case .object(let given)? = fields["ExpressionAttributeValues"] {
            for (key, value) in given { if let decoded = try? AttributeValueWire.decode(value) { values[key] = decoded } }
        }
        return ExpressionAttributes(names: names, values: values)
    }

    private func string(_ value: JSONValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }
}
