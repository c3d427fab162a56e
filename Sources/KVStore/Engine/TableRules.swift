/// DynamoDB's rules for table and index definitions, checked in DynamoDB's order.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
enum TableRules {
    static let maxGlobalIndexes = 20
    static let maxLocalIndexes = 5
    static let maxProjectedAttributes = 100

    static func throughput(_ mode: BillingMode, _ requested: ProvisionedThroughput?) throws(KVError) -> ProvisionedThroughput {
        switch mode {
        case .payPerRequest:
            if requested != nil {
                throw .validation(
                    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
                )
            }
            return ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0)
        case .provisioned:
            guard let throughput = requested else {
                throw .validation(
                    "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"
                )
            }
            let bound: Int64 = 1_000_000_000_000
            if throughput.readCapacityUnits > bound {
                throw .validation("Given value \(throughput.readCapacityUnits) for ReadCapacityUnits is out of bounds")
            }
            if throughput.writeCapacityUnits > bound {
                throw .validation("Given value \(throughput.writeCapacityUnits) for WriteCapacityUnits is out of bounds")
            }
            return throughput
        }
    }

    /// A table's or an index's key schema against the attribute definitions.
    static func keySchema(
        _ elements: [KeySchemaElement], definitions: [KeyAttribute], hasIndexes: Bool
    ) throws(KVError) -> KeySchema {
        let definedNames = definitions.map(\.name)
        let keyNames = elements.map(\.attributeName)
        if Set(definedNames).count != definedNames.count {
            throw .validation("Cannot have two attributes with the same name")
        }
        if keyNames.count == 2, keyNames.first == keyNames.last {
            throw .validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
        }
        if keyNames.count > definedNames.count {
            throw .validation("Invalid KeySchema: Some index key attribute have no definition")
        }
        let schema = try indexKeySchema(elements, definitions: definitions)
        if !hasIndexes && keyNames.count != definedNames.count {
            throw .validation(
                "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
            )
        }
        return schema
    }

    /// The most HASH, and the most RANGE, attributes of a multi-attribute global index key.
    static let maxKeyAttributesPerPart = 4

    /// Key schema checks shared by tables and indexes. `multiAttribute` (global secondary
    /// indexes): the key may have up to four HASH attributes followed by up to four RANGE ones.
    /// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
    static func indexKeySchema(
        _ elements: [KeySchemaElement], definitions: [KeyAttribute], multiAttribute: Bool = false
    ) throws(KVError) -> KeySchema {
        let definedNames = definitions.map(\.name)
        let keyNames = elements.map(\.attributeName)
        if keyNames.contains(where: { !definedNames.contains($0) }) {
            throw .validation(
                "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [\(keyNames.joined(separator: ", "))], AttributeDefinitions: [\(definedNames.joined(separator: ", "))]"
            )
        }
        guard let first = elements.first else {
            throw .validation("Invalid KeySchema: Some index key attribute have no definition")
        }
        func attribute(_ name: String) -> KeyAttribute {
            definitions.first { $0.name == name } ?? KeyAttribute(name: name, type: .string)
        }
        let second = elements.dropFirst().first
        if multiAttribute, elements.count > 2 || second?.keyType == .hash {
            return try multiAttributeKeySchema(elements, attribute: attribute)
        }
        if let second, second.attributeName == first.attributeName {
            throw .validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
        }
        if first.keyType != .hash {
            throw .validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
        }
        if let second, second.keyType != .range {
            throw .validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
        }
        return KeySchema(partitionKey: attribute(first.attributeName), sortKey: second.map { attribute($0.attributeName) })
    }

    /// A global index key of several HASH and/or RANGE attributes: HASH ones first, each part
    /// at most `maxKeyAttributesPerPart` attributes, no attribute twice. DynamoDB's texts for these
    /// refusals are not published (nor recorded anywhere we could find); ours follow the wording
    /// of its other "Invalid KeySchema" messages.
    private static func multiAttributeKeySchema(
        _ elements: [KeySchemaElement], attribute: (String) -> KeyAttribute
    ) throws(KVError) -> KeySchema {
        if elements.first?.keyType != .hash {
            throw .validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
        }
        var seen: Set<String> = []
        for element in elements {
            if !seen.insert(element.attributeName).inserted {
                throw .validation("Invalid KeySchema: Duplicate attribute name in KeySchema: \(element.attributeName)")
            }
        }
        let hashes = elements.prefix { $0.keyType == .hash }
        let ranges = elements.dropFirst(hashes.count)
        if ranges.contains(where: { $0.keyType == .hash }) {
            throw .validation("Invalid KeySchema: All HASH KeySchemaElements must come before the RANGE KeySchemaElements")
        }
        if hashes.count > maxKeyAttributesPerPart {
            throw .validation(
                "Invalid KeySchema: The number of HASH KeySchemaElements must not exceed \(maxKeyAttributesPerPart)")
        }
        if ranges.count > maxKeyAttributesPerPart {
            throw .validation(
                "Invalid KeySchema: The number of RANGE KeySchemaElements must not exceed \(maxKeyAttributesPerPart)")
        }
        return KeySchema(
            partitionKeys: hashes.map { attribute($0.attributeName) }, sortKeys: ranges.map { attribute($0.attributeName) })
    }

    static func projection(_ request: IndexRequest) throws(KVError) -> IndexProjection {
        guard let kind = request.projectionKind else {
            throw .validation("One or more parameter values were invalid: Unknown ProjectionType: null")
        }
        if let names = request.nonKeyAttributes, kind != .include {
            _ = names
            throw .validation(
                "One or more parameter values were invalid: ProjectionType is \(kind.rawValue), but NonKeyAttributes is specified")
        }
        if kind == .include, (request.nonKeyAttributes ?? []).isEmpty {
            throw .validation("One or more parameter values were invalid: NonKeyAttributes must not be empty")
        }
        return IndexProjection(kind: kind, nonKeyAttributes: request.nonKeyAttributes ?? [])
    }

    /// The indexes of a CreateTable request, numbered later by the caller.
    static func indexes(_ request: CreateTableRequest, tableKey: KeySchema) throws(KVError)
        -> (global: [IndexDefinition], local: [IndexDefinition])
    {
        var names: Set<String> = []
        var local: [IndexDefinition] = []
        if let requested = request.localSecondaryIndexes {
            if requested.isEmpty {
                throw .validation("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty")
            }
            if tableKey.sortKey == nil {
                throw .validation(
                    "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
                )
            }
            for index in requested {
                let schema = try indexKeySchema(index.keySchema, definitions: request.attributeDefinitions)
                if schema.sortKey == nil {
                    throw .validation(
                        "One or more parameter values were invalid: Index KeySchema does not have a range key for index: \(index.name)")
                }
                if schema.partitionKey.name != tableKey.partitionKey.name {
                    throw .validation(
                        "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: \(index.name). index hash key: \(schema.partitionKey.name), table hash key: \(tableKey.partitionKey.name)"
                    )
                }
                let projection = try projection(index)
                guard names.insert(index.name).inserted else {
                    throw .validation("One or more parameter values were invalid: Duplicate index name: \(index.name)")
                }
                local.append(
                    IndexDefinition(
                        name: index.name, isGlobal: false, keySchema: schema, projection: projection, number: 0,
                        status: .active, backfilling: false, throughput: ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0)))
            }
            if requested.count > maxLocalIndexes {
                throw .validation(
                    "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of \(maxLocalIndexes)")
            }
        }
        var global: [IndexDefinition] = []
        if let requested = request.globalSecondaryIndexes {
            if requested.isEmpty {
                throw .validation("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
            }
            for index in requested {
                let schema = try indexKeySchema(index.keySchema, definitions: request.attributeDefinitions, multiAttribute: true)
                let projection = try projection(index)
                let throughput = try globalIndexThroughput(index, billingMode: request.billingMode)
                guard names.insert(index.name).inserted else {
                    throw .validation("One or more parameter values were invalid: Duplicate index name: \(index.name)")
                }
                global.append(
                    IndexDefinition(
                        name: index.name, isGlobal: true, keySchema: schema, projection: projection, number: 0,
                        status: .active, backfilling: false, throughput: throughput))
            }
            if requested.count > maxGlobalIndexes {
                throw .validation(
                    "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of \(maxGlobalIndexes)")
            }
        }
        try checkProjectedAttributeCount(global + local)
        if !(global.isEmpty && local.isEmpty) {
            try checkAllDefinitionsUsed(request.attributeDefinitions, tableKey: tableKey, indexes: global + local)
        }
        return (global, local)
    }

    static func globalIndexThroughput(_ index: IndexRequest, billingMode: BillingMode) throws(KVError) -> ProvisionedThroughput {
        switch billingMode {
        case .payPerRequest:
            if index.provisionedThroughput != nil {
                throw .validation(
                    "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: \(index.name) when BillingMode is PAY_PER_REQUEST"
                )
            }
            return ProvisionedThroughput(readCapacityUnits: 0, writeCapacityUnits: 0)
        case .provisioned:
            guard let throughput = index.provisionedThroughput else {
                throw .validation(
                    "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: \(index.name)")
            }
            return throughput
        }
    }

    static func checkProjectedAttributeCount(_ indexes: [IndexDefinition]) throws(KVError) {
        let total = indexes.reduce(0) { $0 + $1.projection.nonKeyAttributes.count }
        if total > maxProjectedAttributes {
            throw .validation(
                "One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of \(maxProjectedAttributes), number of projected attributes:\(total)"
            )
        }
    }

    static func checkAllDefinitionsUsed(_ definitions: [KeyAttribute], tableKey: KeySchema, indexes: [IndexDefinition]) throws(KVError) {
        var used = Set(tableKey.attributeNames)
        for index in indexes { used.formUnion(index.keySchema.attributeNames) }
        let defined = definitions.map(\.name)
        if defined.contains(where: { !used.contains($0) }) {
            throw .validation(
                "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [\(defined.joined(separator: ", "))], keys used: [\(used.sorted().joined(separator: ", "))]"
            )
        }
    }
}
