extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html
    /// Enabling creates the table's expiry index; the maintenance loop fills it from existing
    /// items and then deletes what expires. Disabling drops the index.
    public func updateTimeToLive(tableName: String, enabled: Bool, attributeName: String) async throws -> TimeToLiveDefinition {
        let table = try existingTable(tableName)
        if let current = table.timeToLive, current.enabled {
            if enabled && current.attributeName == attributeName {
                throw KVError.validation("TimeToLive is already enabled")
            }
            if current.attributeName != attributeName {
                throw KVError.validation(
                    "TimeToLive is active on a different AttributeName: current AttributeName is \(current.attributeName)")
            }
        } else if !enabled {
            throw KVError.validation("TimeToLive is already disabled")
        }
        let catalog = self.catalog
        let setting = TimeToLiveDefinition(attributeName: attributeName, enabled: enabled, indexed: false)
        try await storage.write { connection in
            var current = try catalog.current(table)
            current.timeToLive = setting
            if enabled {
                try connection.createExpiryIndex(of: current)
            } else {
                try connection.dropExpiryIndex(of: current)
            }
            try connection.saveTableDefinition(current)
            catalog.put(current)
        }
        return setting
    }

    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html
    public func describeTimeToLive(tableName: String) throws(KVError) -> TimeToLiveDefinition? {
        guard let table = catalog.table(named: tableName) else {
            throw .resourceNotFound("Requested resource not found: Table: \(tableName) not found")
        }
        return table.timeToLive
    }
}
