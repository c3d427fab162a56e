import KVStore

/// The expression parameters of a request (`ExpressionAttributeNames`/`Values` and the
/// expressions themselves) next to their legacy counterparts, with DynamoDB's checks of
/// how they may be combined.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
struct ExpressionParameters {
    var attributes: ExpressionAttributes
    let request: WireObject

    /// - Parameters:
    ///   - expressions: the expression parameters this operation accepts, e.g. ["ConditionExpression"].
    ///   - legacy: the legacy parameters it accepts, e.g. ["Expected", "ConditionalOperator"].
    ///   - valueExpressions: the expressions DynamoDB names when ExpressionAttributeValues come without
    ///     any expression ("...: ConditionExpression is null", "...: UpdateExpression and
    ///     ConditionExpression are null"); empty for operations whose message has no such suffix.
    init(_ request: WireObject, expressions: [String], legacy: [String], valueExpressions: [String] = []) throws(KVError) {
        self.request = request
        let usedExpressions = expressions.filter { request[$0] != nil }
        let usedLegacy = legacy.filter { request[$0] != nil }
        if !usedExpressions.isEmpty && !usedLegacy.isEmpty {
            throw KVError.validation(
                "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {\(usedLegacy.joined(separator: ", "))} Expression parameters: {\(usedExpressions.joined(separator: ", "))}"
            )
        }
        let names = try request.map("ExpressionAttributeNames")
        let values = try request.map("ExpressionAttributeValues")
        if names != nil, usedExpressions.isEmpty {
            throw KVError.validation("ExpressionAttributeNames can only be specified when using expressions")
        }
        if values != nil, usedExpressions.isEmpty {
            var message = "ExpressionAttributeValues can only be specified when using expressions"
            if !valueExpressions.isEmpty {
                message += ": " + valueExpressions.joined(separator: " and ") + (valueExpressions.count == 1 ? " is null" : " are null")
            }
            throw KVError.validation(message)
        }
        if let names, names.isEmpty {
            throw KVError.validation("ExpressionAttributeNames must not be empty")
        }
        if let values, values.isEmpty {
            throw KVError.validation("ExpressionAttributeValues must not be empty")
        }
        var decodedNames: [String: String] = [:]
        for (key, value) in names ?? [:] {
            guard Self.isPlaceholder(key, sigil: "#") else {
                throw KVError.validation("ExpressionAttributeNames contains invalid key: Syntax error; key: \"\(key)\"")
            }
            decodedNames[key] = try WireObject.string(value)
        }
        var decodedValues: [String: AttributeValue] = [:]
        for (key, value) in values ?? [:] {
            guard Self.isPlaceholder(key, sigil: ":") else {
                throw KVError.validation("ExpressionAttributeValues contains invalid key: Syntax error; key: \"\(key)\"")
            }
            do {
                decodedValues[key] = try AttributeValueWire.decode(value)
            } catch where error.code == .validation {
                throw KVError.validation("ExpressionAttributeValues contains invalid value: \(error.message) for key \(key)")
            }
        }
        attributes = ExpressionAttributes(names: decodedNames, values: decodedValues)
    }

    /// `#name` / `:value` keys: the sigil then one or more of `[A-Za-z0-9_]`.
    static func isPlaceholder(_ key: String, sigil: Character) -> Bool {
        guard let sigilByte = sigil.asciiValue, key.utf8.first == sigilByte, key.utf8.count > 1 else { return false }
        return key.utf8.dropFirst().allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
    }

    mutating func condition(_ field: String, kind: ConditionKind) throws(KVError) -> ConditionExpression? {
        guard let text = try request.string(field) else { return nil }
        return try ConditionExpression.parse(text, kind: kind, attributes: &attributes)
    }

    mutating func update() throws(KVError) -> UpdateExpression? {
        guard let text = try request.string("UpdateExpression") else { return nil }
        return try UpdateExpression.parse(text, attributes: &attributes)
    }

    mutating func projection() throws(KVError) -> ProjectionExpression? {
        if let names = try request.array("AttributesToGet") {
            var result: [String] = []
            for element in names {
                let name = try WireObject.string(element)
                if result.contains(name) {
                    throw KVError.validation("One or more parameter values were invalid: Duplicate value in attribute name: \(name)")
                }
                result.append(name)
            }
            return ProjectionExpression(attributeNames: result)
        }
        guard let text = try request.string("ProjectionExpression") else { return nil }
        return try ProjectionExpression.parse(text, attributes: &attributes)
    }

    /// Legacy `Expected` / `QueryFilter` / `ScanFilter` maps with their `ConditionalOperator`.
    ///
    /// An empty map is no condition. `ConditionalOperator` needs two or more conditions to join:
    /// "ConditionalOperator cannot be used without Filter or Expected" and "ConditionalOperator can
    /// only be used when Filter or Expected has two or more elements" (DynamoDB Local's
    /// ErrorFactory COND_OP_WITHOUT_FILTER_OR_EXPECTED / COND_OP_WITH_ONE_ELEMENT; AWS's DAX client,
    /// RequestValidator, makes the same two checks).
    func legacyCondition(_ field: String) throws(KVError) -> ConditionExpression? {
        guard let map = try request.map(field), !map.isEmpty else {
            if request["ConditionalOperator"] != nil {
                throw KVError.validation("ConditionalOperator cannot be used without Filter or Expected")
            }
            return nil
        }
        if map.count == 1, request["ConditionalOperator"] != nil {
            throw KVError.validation("ConditionalOperator can only be used when Filter or Expected has two or more elements")
        }
        var conditions: [String: ExpectedCondition] = [:]
        for (name, value) in map {
            conditions[name] = try Self.expectedCondition(value)
        }
        return try LegacyConditions.condition(
            conditions, conditionalOperator: try request.string("ConditionalOperator"), parameter: field)
    }

    static func expectedCondition(_ json: JSONValue) throws(KVError) -> ExpectedCondition {
        let object = try WireObject(json)
        let value = try object["Value"].map { value throws(KVError) in try AttributeValueWire.decode(value) }
        let list = try object.array("AttributeValueList")?.map { value throws(KVError) in try AttributeValueWire.decode(value) }
        return ExpectedCondition(
            exists: try object.bool("Exists"), value: value,
            comparisonOperator: try object.string("ComparisonOperator"), attributeValueList: list)
    }

    func legacyUpdate() throws(KVError) -> UpdateExpression? {
        guard let map = try request.map("AttributeUpdates") else { return nil }
        var updates: [String: AttributeUpdate] = [:]
        for (name, json) in map {
            let object = try WireObject(json)
            let value = try object["Value"].map { value throws(KVError) in try AttributeValueWire.decode(value) }
            updates[name] = AttributeUpdate(action: try object.string("Action"), value: value)
        }
        return try LegacyConditions.update(updates)
    }

    /// `ReturnValuesOnConditionCheckFailure`.
    static func returnOldOnFailure(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) -> Bool {
        let value = try request.string("ReturnValuesOnConditionCheckFailure")
        violations.oneOf(value, ["ALL_OLD", "NONE"], at: "returnValuesOnConditionCheckFailure")
        return value == "ALL_OLD"
    }
}
