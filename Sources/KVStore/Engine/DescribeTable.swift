extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
    public func describeTable(_ name: String) async throws -> TableDescription {
        guard let definition = catalog.table(named: name) else {
            throw KVError.resourceNotFound("Requested resource not found: Table: \(name) not found")
        }
        return try await describe(definition, status: definition.isLoadingItems ? .creating : .active)
    }

    /// Item counts and sizes. DynamoDB refreshes these about every six hours;
    /// we count exactly, which a local server can afford.
    func describe(_ definition: TableDefinition, status: TableDescription.Status) async throws -> TableDescription {
        let sources = [(nil as String?, definition.sqlTableName)]
            + definition.indexes.map { (Optional($0.name), $0.sqlTableName(of: definition)) }
        do {
            let counts = try await database.read { connection in
                try sources.map { (name, sqlName) in
                    let statement = try connection.statement("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM \(sqlName)")
                    defer { statement.reset() }
                    guard try statement.step() else { return (name, TableDescription.IndexStatistics(itemCount: 0, sizeBytes: 0)) }
                    return (name, TableDescription.IndexStatistics(itemCount: statement.int64(0), sizeBytes: statement.int64(1)))
                }
            }
            var description = TableDescription(definition: definition, status: status, itemCount: 0, sizeBytes: 0)
            for (name, statistics) in counts {
                if let name {
                    description.indexStatistics[name] = statistics
                } else {
                    description.itemCount = statistics.itemCount
                    description.sizeBytes = statistics.sizeBytes
                }
            }
            return description
        } catch is SQLiteError {
            // The table was dropped between the catalog lookup and the read.
            throw KVError.resourceNotFound("Requested resource not found: Table: \(definition.name) not found")
        }
    }
}
