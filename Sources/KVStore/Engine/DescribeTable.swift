extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
    public func describeTable(_ name: String) async throws -> TableDescription {
        guard let definition = catalog.table(named: name) else {
            throw KVError.resourceNotFound("Requested resource not found: Table: \(name) not found")
        }
        let (count, size) = try await statistics(of: definition)
        return TableDescription(definition: definition, status: .active, itemCount: count, sizeBytes: size)
    }

    /// Item count and total item size. DynamoDB refreshes these about every six hours;
    /// we count exactly, which a local server can afford.
    func statistics(of definition: TableDefinition) async throws -> (count: Int64, size: Int64) {
        let sql = "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM \(definition.sqlTableName)"
        do {
            return try await database.read { connection in
                let statement = try connection.statement(sql)
                defer { statement.reset() }
                guard try statement.step() else { return (0, 0) }
                return (statement.int64(0), statement.int64(1))
            }
        } catch is SQLiteError {
            // The table was dropped between the catalog lookup and the read.
            throw KVError.resourceNotFound("Requested resource not found: Table: \(definition.name) not found")
        }
    }
}
