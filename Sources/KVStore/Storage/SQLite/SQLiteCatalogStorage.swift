#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The catalog in SQLite: `kv_tables`, and one SQLite table per DynamoDB table, index, expiry
/// index and change log (layout in `Schema`, names in `SQLiteNames`).
extension Connection: CatalogStorage {
    func migrateStorage() throws {
        try Schema.migrate(self)
    }

    func loadTableDefinitions() throws -> [TableDefinition] {
        try Schema.loadDefinitions(self)
    }

    func tableDefinition(named name: String) throws -> TableDefinition? {
        let lookup = try self.statement("SELECT definition FROM kv_tables WHERE name = ?")
        defer { lookup.reset() }
        try lookup.bind(1, name)
        guard try lookup.step() else { return nil }
        return try JSONDecoder().decode(TableDefinition.self, from: Data(lookup.text(0).utf8))
    }

    func nextStorageID() throws -> Int64 {
        let next = try self.statement("SELECT COALESCE(MAX(storage_id), 0) + 1 FROM kv_tables")
        defer { next.reset() }
        _ = try next.step()
        return next.int64(0)
    }

    func createTable(_ definition: TableDefinition) throws -> Bool {
        let exists = try self.statement("SELECT 1 FROM kv_tables WHERE name = ?")
        defer { exists.reset() }
        try exists.bind(1, definition.name)
        if try exists.step() { return false }
        exists.reset()
        let insert = try self.statement("INSERT INTO kv_tables (name, storage_id, definition) VALUES (?, ?, ?)")
        defer { insert.reset() }
        try insert.bind(1, definition.name)
        try insert.bind(2, definition.storageID)
        try insert.bind(3, try Schema.encode(definition))
        try insert.run()
        try Schema.createItemTable(definition.sqlTableName, in: self)
        for index in definition.indexes {
            try Schema.createIndexTable(index.sqlTableName(of: definition), in: self)
        }
        return true
    }

    func saveTableDefinition(_ definition: TableDefinition) throws {
        try Schema.saveDefinition(definition, in: self)
    }

    func deleteTable(_ definition: TableDefinition) throws -> Bool {
        let delete = try self.statement("DELETE FROM kv_tables WHERE name = ? AND storage_id = ?")
        defer { delete.reset() }
        try delete.bind(1, definition.name)
        try delete.bind(2, definition.storageID)
        try delete.run()
        guard changes == 1 else { return false }
        try execute("DROP TABLE IF EXISTS \(definition.sqlTableName)")
        for index in definition.indexes {
            try execute("DROP TABLE IF EXISTS \(index.sqlTableName(of: definition))")
        }
        try execute("DROP TABLE IF EXISTS \(definition.sqlExpiryTableName)")
        try dropChangeLog(of: definition)
        return true
    }

    func createIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws {
        try Schema.createIndexTable(index.sqlTableName(of: table), in: self)
    }

    func dropIndexStorage(_ index: IndexDefinition, of table: TableDefinition) throws {
        try execute("DROP TABLE IF EXISTS \(index.sqlTableName(of: table))")
    }

    func createExpiryIndex(of table: TableDefinition) throws {
        try Schema.createExpiryTable(table.sqlExpiryTableName, in: self)
    }

    func dropExpiryIndex(of table: TableDefinition) throws {
        try execute("DROP TABLE IF EXISTS \(table.sqlExpiryTableName)")
    }

    func storedUsage(of table: TableDefinition, index: IndexDefinition?) throws -> StoredUsage {
        let sqlName = index.map { $0.sqlTableName(of: table) } ?? table.sqlTableName
        let statement = try self.statement("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM \(sqlName)")
        defer { statement.reset() }
        guard try statement.step() else { return StoredUsage(itemCount: 0, sizeBytes: 0) }
        return StoredUsage(itemCount: statement.int64(0), sizeBytes: statement.int64(1))
    }
}
