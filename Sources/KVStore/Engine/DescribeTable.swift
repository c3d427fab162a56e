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
        let sources = [nil as IndexDefinition?] + definition.indexes.map(Optional.init)
        do {
            let counts = try await storage.read { connection in
                try sources.map { index in
                    let usage = try connection.storedUsage(of: definition, index: index)
                    return (index?.name, TableDescription.IndexStatistics(itemCount: usage.itemCount, sizeBytes: usage.sizeBytes))
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
