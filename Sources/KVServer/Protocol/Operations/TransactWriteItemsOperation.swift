import KVStore

/// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
enum TransactWriteItemsOperation {
    static let actionNames = ["ConditionCheck", "Put", "Delete", "Update"]

    static func handle(_ body: JSONValue, _ context: RequestContext, engine: KVEngine) async throws -> JSONValue {
        let request = try WireObject(body)
        var violations = ConstraintViolations()
        violations.oneOf(try request.string("ReturnConsumedCapacity"), CapacityWire.modeValues, at: "returnConsumedCapacity")
        violations.oneOf(try request.string("ReturnItemCollectionMetrics"), ["SIZE", "NONE"], at: "returnItemCollectionMetrics")
        let token = try request.string("ClientRequestToken")
        violations.length(token, min: 1, max: 36, at: "clientRequestToken")
        let items = try TransactWire.items(request, into: &violations)
        var objects: [(offset: Int, name: String, object: WireObject)?] = []
        for (offset, element) in items.enumerated() {
            let item = try WireObject(element)
            let present = try actionNames.compactMap { name throws(KVError) in try item.object(name).map { (name, $0) } }
            guard present.count == 1, let (name, object) = present.first else {
                objects.append(nil)
                continue
            }
            let path = "transactItems.\(offset + 1).member.\(TransactWire.lowerFirst(name))"
            _ = try TableName.read(object, path: "\(path).tableName", minLength: 1, into: &violations)
            switch name {
            case "Put":
                violations.notNull(try object.map("Item"), at: "\(path).item")
            case "Update":
                violations.notNull(try object.map("Key"), at: "\(path).key")
                violations.notNull(try object.string("UpdateExpression"), at: "\(path).updateExpression")
            case "ConditionCheck":
                violations.notNull(try object.map("Key"), at: "\(path).key")
                violations.notNull(try object.string("ConditionExpression"), at: "\(path).conditionExpression")
            default:
                violations.notNull(try object.map("Key"), at: "\(path).key")
            }
            violations.oneOf(
                try object.string("ReturnValuesOnConditionCheckFailure"), ["ALL_OLD", "NONE"],
                at: "\(path).returnValuesOnConditionCheckFailure")
            objects.append((offset, name, object))
        }
        try violations.check()

        var actions: [TransactWriteAction] = []
        for (position, entry) in objects.enumerated() {
            guard let entry else {
                let item = try WireObject(items[position])
                let count = try actionNames.filter { name throws(KVError) in try item.object(name) != nil }.count
                throw KVError.validation(
                    count == 0
                        ? "The action or operation requested is invalid. Verify that the action is typed correctly."
                        : "TransactItems can only contain one of Check, Put, Update or Delete")
            }
            actions.append(try action(entry.name, entry.object))
        }
        let mode = try CapacityWire.mode(request)
        let clientToken = token.map { (token: $0, fingerprint: RequestFingerprint.of(.array(items))) }
        let result = try await engine.transactWriteItems(TransactWriteRequest(actions: actions, clientToken: clientToken))
        return CapacityWire.attach(list: result.consumedCapacity, mode: mode, usage: context.usage, to: .object([:]))
    }

    /// One action, checked as the single-item operation checks its parameters.
    static func action(_ name: String, _ object: WireObject) throws(KVError) -> TransactWriteAction {
        let tableName = BatchWire.tableName(try object.string("TableName") ?? "")
        let returnOld = try object.string("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        switch name {
        case "Put":
            var expressions = try ExpressionParameters(object, expressions: ["ConditionExpression"], legacy: [])
            let condition = try expressions.condition("ConditionExpression", kind: .condition)
            try expressions.attributes.checkAllUsed()
            let item = try AttributeValueWire.decodeItem(try object.map("Item") ?? [:])
            _ = try ItemSizeLimit.checkSent(item)
            return .put(
                PutItemRequest(
                    tableName: tableName, item: item,
                    condition: condition.map { WriteCondition($0, returnOldItemOnFailure: returnOld) }))
        case "Update":
            var expressions = try ExpressionParameters(object, expressions: ["UpdateExpression", "ConditionExpression"], legacy: [])
            let update = try expressions.update()
            let condition = try expressions.condition("ConditionExpression", kind: .condition)
            try expressions.attributes.checkAllUsed()
            return .update(
                UpdateItemRequest(
                    tableName: tableName, key: try AttributeValueWire.decodeItem(try object.map("Key") ?? [:]), update: update,
                    condition: condition.map { WriteCondition($0, returnOldItemOnFailure: returnOld) }))
        case "Delete":
            var expressions = try ExpressionParameters(object, expressions: ["ConditionExpression"], legacy: [])
            let condition = try expressions.condition("ConditionExpression", kind: .condition)
            try expressions.attributes.checkAllUsed()
            return .delete(
                DeleteItemRequest(
                    tableName: tableName, key: try AttributeValueWire.decodeItem(try object.map("Key") ?? [:]),
                    condition: condition.map { WriteCondition($0, returnOldItemOnFailure: returnOld) }))
        default:
            var expressions = try ExpressionParameters(object, expressions: ["ConditionExpression"], legacy: [])
            guard let condition = try expressions.condition("ConditionExpression", kind: .condition) else {
                throw KVError.constraints(["Value null at 'conditionExpression' failed to satisfy constraint: Member must not be null"])
            }
            try expressions.attributes.checkAllUsed()
            return .conditionCheck(
                ConditionCheckRequest(
                    tableName: tableName, key: try AttributeValueWire.decodeItem(try object.map("Key") ?? [:]),
                    condition: WriteCondition(condition, returnOldItemOnFailure: returnOld)))
        }
    }
}

/// What the two transaction operations share.
enum TransactWire {
    /// `TransactItems`: required, 1...100 elements.
    static func items(_ request: WireObject, into violations: inout ConstraintViolations) throws(KVError) -> [JSONValue] {
        let items = try request.array("TransactItems")
        violations.notNull(items, at: "transactItems")
        if let items, items.isEmpty {
            violations.add(value: "[]", at: "transactItems", "have length greater than or equal to 1")
        }
        violations.count(items, rendered: "[...]", max: KVEngine.maxTransactionActions, at: "transactItems")
        return items ?? []
    }

    static func lowerFirst(_ name: String) -> String {
        guard let first = name.first else { return name }
        return first.lowercased() + name.dropFirst()
    }
}
