/// A statement parsed, bound to its parameters and resolved against the catalog: what the
/// engine runs. Validation happens here, in DynamoDB's order: syntax, parameter count,
/// table and index, key rules.
enum PreparedStatement {
    case select(SelectPlan)
    case insert(PutItemRequest)
    case update(UpdateItemRequest)
    case delete(DeleteItemRequest)
    /// `EXISTS(SELECT ...)` of a transaction: a condition on one item.
    case exists(ConditionCheckRequest)

    struct SelectPlan {
        var table: TableDefinition
        var index: IndexDefinition?
        var condition: ConditionNode?
        var projection: [DocumentPath]?
        var plan: PartiQLPlanner.ReadPlan
        var descending: Bool
    }

    var isRead: Bool {
        if case .select = self { return true }
        return false
    }

    var tableName: String {
        switch self {
        case .select(let plan): plan.table.name
        case .insert(let put): put.tableName
        case .update(let update): update.tableName
        case .delete(let delete): delete.tableName
        case .exists(let check): check.tableName
        }
    }
}

extension KVEngine {
    /// Parses, binds and plans one statement; `allowsExists` only inside ExecuteTransaction.
    func prepare(_ input: PartiQLStatementInput, allowsExists: Bool = false) throws(KVError) -> PreparedStatement {
        let parsed = try PartiQLParser.parse(input.statement)
        // Too few parameters fail; DynamoDB also refuses extra ones.
        guard parsed.parameterCount == input.parameters.count else { throw PartiQLError.parameterCount }
        let binder = PartiQLBinder(parameters: input.parameters)
        let returnOld = input.returnOldItemOnConditionFailure
        switch parsed.statement {
        case .select(let select):
            return .select(try prepareSelect(select, binder: binder, consistentRead: input.consistentRead))
        case .exists(let select):
            guard allowsExists else { throw PartiQLError.existsOutsideTransaction }
            let table = try existingTable(select.source.table)
            guard select.source.index == nil else {
                throw KVError.validation("Operations on indices are not supported in transactions")
            }
            let condition = try select.condition.map { node throws(KVError) in try binder.condition(node) }
            let (key, rest) = try PartiQLPlanner.writeKey(condition, schema: table.keySchema)
            guard let rest else { throw KVError.validation("EXISTS() must contain a single item read with additional condition") }
            let exists = ConditionNode.and(Self.itemExists(table), rest)
            return .exists(
                ConditionCheckRequest(
                    tableName: table.name, key: key,
                    condition: WriteCondition(ConditionExpression(root: exists), returnOldItemOnFailure: returnOld)))
        case .insert(let tableName, let value):
            let table = try existingTable(tableName)
            guard case .map(let item) = try binder.value(value) else { throw PartiQLError.insertNotTuple }
            for attribute in table.keySchema.attributes {
                guard let keyValue = item[attribute.name] else { throw PartiQLError.keyAbsent(attribute.name) }
                guard keyValue.scalarType == attribute.type else { throw PartiQLError.keyTypeMismatch(attribute.name) }
            }
            var put = PutItemRequest(tableName: table.name, item: item)
            put.insertOnly = true
            return .insert(put)
        case .update(let source, let assignments, let where_, let returning):
            let table = try writableTable(source)
            let condition = try where_.map { node throws(KVError) in try binder.condition(node) }
            let (key, rest) = try PartiQLPlanner.writeKey(condition, schema: table.keySchema)
            let update = try binder.update(assignments)
            try update.checkKeyAttributes(Set(table.keySchema.attributeNames))
            // UPDATE never creates an item: a missing key fails the condition, as in DynamoDB.
            let guarded = rest.map { ConditionNode.and(Self.itemExists(table), $0) } ?? Self.itemExists(table)
            return .update(
                UpdateItemRequest(
                    tableName: table.name, key: key, update: update,
                    condition: WriteCondition(ConditionExpression(root: guarded), returnOldItemOnFailure: returnOld),
                    returnValues: returning?.returnValues ?? .none))
        case .delete(let source, let where_, let returning):
            let table = try writableTable(source)
            let condition = try where_.map { node throws(KVError) in try binder.condition(node) }
            let (key, rest) = try PartiQLPlanner.writeKey(condition, schema: table.keySchema)
            return .delete(
                DeleteItemRequest(
                    tableName: table.name, key: key, returnValues: returning?.returnValues ?? .none,
                    condition: rest.map { WriteCondition(ConditionExpression(root: $0), returnOldItemOnFailure: returnOld) }))
        }
    }

    private func writableTable(_ source: PartiQLSource) throws(KVError) -> TableDefinition {
        let table = try existingTable(source.table)
        if source.index != nil { throw PartiQLError.writeOnIndex }
        return table
    }

    /// `attribute_exists(<partition key>)`: true exactly when the item exists.
    static func itemExists(_ table: TableDefinition) -> ConditionNode {
        .function("attribute_exists", [.path(DocumentPath(attribute: table.keySchema.partitionKey.name))])
    }

    private func prepareSelect(
        _ select: PartiQLSelect, binder: PartiQLBinder, consistentRead: Bool
    ) throws(KVError) -> PreparedStatement.SelectPlan {
        let table = try existingTable(select.source.table)
        var index: IndexDefinition?
        if let name = select.source.index {
            guard let found = table.index(named: name) else {
                throw KVError.validation("The table does not have the specified index: \(name)")
            }
            if found.isGlobal && consistentRead { throw PartiQLError.consistentReadOnGSI }
            index = found
        }
        let condition = try select.condition.map { node throws(KVError) in try binder.condition(node) }
        let schema = index?.keySchema ?? table.keySchema
        let plan = PartiQLPlanner.read(condition, schema: schema, isIndex: index != nil)
        var descending = false
        if !select.ordering.isEmpty {
            guard condition != nil else { throw PartiQLError.orderByWithoutWhere }
            for ordering in select.ordering {
                guard ordering.path.elements.count == 1, let name = ordering.path.topLevelName, schema.contains(name) else {
                    throw PartiQLError.orderByNonKey(ordering.path.topLevelName ?? "\(ordering.path)")
                }
            }
            if case .scan = plan { throw PartiQLError.orderByWithoutHashKey }
            if case .partitions(let values, _) = plan, values.count > 1,
                !select.ordering.contains(where: { $0.path.topLevelName == schema.partitionKey.name })
            {
                throw KVError.validation(
                    "Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE clause.")
            }
            descending = (select.ordering.first { $0.path.topLevelName == schema.sortKey?.name } ?? select.ordering[0]).descending
        }
        return PreparedStatement.SelectPlan(
            table: table, index: index, condition: condition, projection: select.projection, plan: plan, descending: descending)
    }
}

/// PartiQL's projection: each selected path's value, under the path's last attribute name
/// (`SELECT a.b` returns `b`).
func partiQLProject(_ item: Item, _ paths: [DocumentPath]?) -> Item {
    guard let paths else { return item }
    var result = Item(minimumCapacity: paths.count)
    for path in paths {
        guard let value = path.value(in: item) else { continue }
        let name = path.elements.reversed().lazy.compactMap { element -> String? in
            if case .attribute(let name) = element { return name }
            return nil
        }.first ?? "\(path)"
        result[name] = value
    }
    return result
}
