extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html
    /// The item table is dropped in the same transaction that removes the catalog row.
    public func deleteTable(_ name: String) async throws -> TableDescription {
        try await deleteTable(name, whileLoading: false)
    }

    /// - Parameter whileLoading: a failed restore or import removing the table it was filling;
    ///   clients cannot delete a table that is still CREATING, nor one being backed up.
    func deleteTable(_ name: String, whileLoading: Bool) async throws -> TableDescription {
        guard let definition = catalog.table(named: name) else {
            throw KVError.resourceNotFound("Requested resource not found: Table: \(name) not found")
        }
        if !whileLoading {
            if definition.isLoadingItems {
                throw KVError.resourceInUse("Attempt to change a resource which is still in use: Table is being created: \(name)")
            }
            // "During the backup process, you can't ... delete the source table of the backup"
            // (developer guide, Backing up a DynamoDB table).
            if backups.isCreating(tableName: name) {
                throw KVError.resourceInUse("Attempt to change a resource which is still in use: Table is being backed up: \(name)")
            }
        }
        if definition.deletionProtection {
            throw KVError.validation(
                "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
            )
        }
        let description = try await describe(definition, status: .deleting)
        let catalog = self.catalog
        do {
            try await storage.write(.freesSpace) { connection in
                guard try connection.deleteTable(definition) else {
                    throw KVError.resourceNotFound("Requested resource not found: Table: \(name) not found")
                }
                let streams = (catalog.table(named: definition.name)?.streams ?? definition.streams).map(\.id)
                try connection.dropStreams(streams)
                catalog.remove(definition.name)
            }
        } catch let error where self.isStorageFailure(error) {
            await reloadCatalog()
            throw error
        }
        return description
    }
}
