extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
    /// The item table is dropped in the same transaction that removes the catalog row.
    public func deleteTable(_ name: String) async throws -> TableDescription {
        guard let definition = catalog.table(named: name) else {
            throw KVError.resourceNotFound("Requested resource not found: Table: \(name) not found")
        }
        if definition.deletionProtection {
            throw KVError.validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
            )
        }
        let description = try await describe(definition, status: .deleting)
        let catalog = self.catalog
        do {
            try await database.write(.freesSpace) { connection in
                let delete = try connection.statement("DELETE FROM kv_tables WHERE name = ? AND storage_id = ?")
                defer { delete.reset() }
                try delete.bind(1, definition.name)
                try delete.bind(2, definition.storageID)
                try delete.run()
                guard connection.changes == 1 else {
                    throw KVError.resourceNotFound("Requested resource not found: Table: \(name) not found")
                }
                try connection.execute("DROP TABLE IF EXISTS \(definition.sqlTableName)")
                for index in definition.indexes {
                    try connection.execute("DROP TABLE IF EXISTS \(index.sqlTableName(of: definition))")
                }
                try connection.execute("DROP TABLE IF EXISTS \(definition.sqlExpiryTableName)")
                try ChangeLog.drop(for: definition, in: connection)
                let streams = (catalog.table(named: definition.name)?.streams ?? definition.streams).map(\.id)
                try StreamLog.drop(streamIDs: streams, connection: connection)
                catalog.remove(definition.name)
            }
        } catch let error where KVEngine.isStorageFailure(error) {
            await reloadCatalog()
            throw error
        }
        return description
    }
}
