/// Which attributes an index copies from the table (`Projection`).
public struct IndexProjection: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case all = "ALL"
        case keysOnly = "KEYS_ONLY"
        case include = "INCLUDE"
    }

    public var kind: Kind
    /// With `.include`: the non-key attributes copied as well.
    public var nonKeyAttributes: [String]

    public init(kind: Kind, nonKeyAttributes: [String] = []) {
        self.kind = kind
        self.nonKeyAttributes = nonKeyAttributes
    }
}

/// A global or local secondary index of a table. Stored inside `TableDefinition`.
public struct IndexDefinition: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Hashable, Codable {
        case creating = "CREATING"
        case active = "ACTIVE"
        case deleting = "DELETING"
        case updating = "UPDATING"
    }

    public var name: String
    public var isGlobal: Bool
    public var keySchema: KeySchema
    public var projection: IndexProjection
    /// Suffix of the SQLite table holding the index rows (`x<table storage id>_<number>`); never reused within a table.
    public var number: Int64
    public var status: Status
    /// True while a new global index is being filled from the table's existing items.
    public var backfilling: Bool
    /// Zero units on PAY_PER_REQUEST tables and on local indexes.
    public var throughput: ProvisionedThroughput

    public init(
        name: String, isGlobal: Bool, keySchema: KeySchema, projection: IndexProjection, number: Int64,
        status: Status, backfilling: Bool, throughput: ProvisionedThroughput
    ) {
        self.name = name
        self.isGlobal = isGlobal
        self.keySchema = keySchema
        self.projection = projection
        self.number = number
        self.status = status
        self.backfilling = backfilling
        self.throughput = throughput
    }

    /// The attributes an index row keeps: its own keys, the table's keys, and what the projection names.
    func project(_ item: Item, tableKey: KeySchema) -> Item {
        if projection.kind == .all { return item }
        var projected: Item = [:]
        for name in keySchema.attributeNames + tableKey.attributeNames {
            if let value = item[name] { projected[name] = value }
        }
        if projection.kind == .include {
            for name in projection.nonKeyAttributes {
                if let value = item[name] { projected[name] = value }
            }
        }
        return projected
    }
}
