import KVStore

/// Secondary index shapes on the wire: requests in, descriptions out.
enum IndexWire {
    /// Reads `GlobalSecondaryIndexes` / `LocalSecondaryIndexes` members (and UpdateTable's `Create`).
    static func decode(
        _ element: JSONValue, path: String, global: Bool, into violations: inout ConstraintViolations
    ) throws(KVError) -> IndexRequest {
        let index = try WireObject(element)
        let name = try index.string("IndexName")
        violations.notNull(name, at: "\(path).indexName")
        violations.pattern(name, TableName.pattern, matches: TableName.isValidName, at: "\(path).indexName")
        violations.length(name, min: 3, max: 255, at: "\(path).indexName")
        // A global index key may have up to four HASH and four RANGE attributes (multi-attribute keys).
        let keySchema = try KeySchemaWire.decode(
            index.array("KeySchema"), path: "\(path).keySchema", maxElements: global ? 8 : 2, into: &violations)
        let projection = try index.object("Projection")
        violations.notNull(projection, at: "\(path).projection")
        let kind = try projection?.string("ProjectionType")
        violations.oneOf(kind, ["ALL", "INCLUDE", "KEYS_ONLY"], at: "\(path).projection.projectionType")
        let nonKey = try projection?.array("NonKeyAttributes")?.map { value throws(KVError) in try WireObject.string(value) }
        if let nonKey {
            violations.count(nonKey, rendered: "[\(nonKey.joined(separator: ", "))]", min: 1, max: 20, at: "\(path).projection.nonKeyAttributes")
        }
        var throughput: ProvisionedThroughput?
        if global {
            throughput = try ThroughputWire.decode(index.object("ProvisionedThroughput"), path: "\(path).provisionedThroughput", into: &violations)
        }
        return IndexRequest(
            name: name ?? "", keySchema: keySchema, projectionKind: kind.flatMap(IndexProjection.Kind.init(rawValue:)),
            nonKeyAttributes: nonKey, provisionedThroughput: throughput)
    }

    static func encode(_ index: IndexDefinition, table: TableDefinition, statistics: TableDescription.IndexStatistics?, region: String) -> JSONValue {
        var projection: [String: JSONValue] = ["ProjectionType": .string(index.projection.kind.rawValue)]
        if index.projection.kind == .include {
            projection["NonKeyAttributes"] = .array(index.projection.nonKeyAttributes.map { .string($0) })
        }
        var fields: [String: JSONValue] = [
            "IndexName": .string(index.name),
            "KeySchema": TableDescriptionWire.keySchema(index.keySchema),
            "Projection": .object(projection),
            "IndexSizeBytes": .number(String(statistics?.sizeBytes ?? 0)),
            "ItemCount": .number(String(statistics?.itemCount ?? 0)),
            "IndexArn": .string(TableName.arn(table.name, region: region) + "/index/" + index.name),
        ]
        if index.isGlobal {
            fields["IndexStatus"] = .string(index.status.rawValue)
            if index.backfilling { fields["Backfilling"] = .bool(true) }
            fields["ProvisionedThroughput"] = .object([
                "NumberOfDecreasesToday": .number("0"),
                "ReadCapacityUnits": .number(String(index.throughput.readCapacityUnits)),
                "WriteCapacityUnits": .number(String(index.throughput.writeCapacityUnits)),
            ])
        }
        return .object(fields)
    }
}

/// `KeySchema` lists of tables and indexes.
enum KeySchemaWire {
    static func decode(
        _ list: [JSONValue]?, path: String, maxElements: Int = 2, into violations: inout ConstraintViolations
    ) throws(KVError) -> [KeySchemaElement] {
        violations.notNull(list, at: path)
        var elements: [KeySchemaElement] = []
        for (offset, element) in (list ?? []).enumerated() {
            let key = try WireObject(element)
            let memberPath = "\(path).\(offset + 1).member"
            let name = try key.string("AttributeName")
            let type = try key.string("KeyType")
            violations.notNull(name, at: "\(memberPath).attributeName")
            violations.length(name, min: 1, max: 255, at: "\(memberPath).attributeName")
            violations.notNull(type, at: "\(memberPath).keyType")
            violations.oneOf(type, ["HASH", "RANGE"], at: "\(memberPath).keyType")
            if let name, let type, let keyType = KeyType(rawValue: type) {
                elements.append(KeySchemaElement(attributeName: name, keyType: keyType))
            }
        }
        violations.count(list, rendered: render(list ?? []), min: 1, max: maxElements, at: path)
        return elements
    }

    static func render(_ elements: [JSONValue]) -> String {
        let rendered = elements.map { element -> String in
            guard case .object(let fields) = element else { return "null" }
            let name = fields["AttributeName"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "null"
            let type = fields["KeyType"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "null"
            return "KeySchemaElement(attributeName=\(name), keyType=\(type))"
        }
        return "[\(rendered.joined(separator: ", "))]"
    }
}

/// `AttributeDefinitions` lists.
enum AttributeDefinitionsWire {
    static func decode(_ list: [JSONValue]?, into violations: inout ConstraintViolations) throws(KVError) -> [KeyAttribute] {
        var definitions: [KeyAttribute] = []
        for (offset, element) in (list ?? []).enumerated() {
            let definition = try WireObject(element)
            let path = "attributeDefinitions.\(offset + 1).member"
            let name = try definition.string("AttributeName")
            let type = try definition.string("AttributeType")
            violations.notNull(name, at: "\(path).attributeName")
            violations.length(name, min: 1, max: 255, at: "\(path).attributeName")
            violations.notNull(type, at: "\(path).attributeType")
            violations.oneOf(type, ["B", "N", "S"], at: "\(path).attributeType")
            if let name, let type, let scalar = ScalarType(rawValue: type) {
                definitions.append(KeyAttribute(name: name, type: scalar))
            }
        }
        return definitions
    }
}

/// `ProvisionedThroughput` structures.
enum ThroughputWire {
    static func decode(_ object: WireObject?, path: String, into violations: inout ConstraintViolations) throws(KVError)
        -> ProvisionedThroughput?
    {
        guard let object else { return nil }
        let read = try object.integer("ReadCapacityUnits")
        let write = try object.integer("WriteCapacityUnits")
        violations.notNull(read, at: "\(path).readCapacityUnits")
        violations.range(read, min: 1, at: "\(path).readCapacityUnits")
        violations.notNull(write, at: "\(path).writeCapacityUnits")
        violations.range(write, min: 1, at: "\(path).writeCapacityUnits")
        guard let read, let write else { return nil }
        return ProvisionedThroughput(readCapacityUnits: read, writeCapacityUnits: write)
    }
}
