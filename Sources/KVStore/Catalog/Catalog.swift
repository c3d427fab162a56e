import Synchronization

/// The in-memory copy of the table catalog, so that item operations find their table
/// without touching SQLite. The `kv_tables` table is the source of truth: DDL operations
/// check it inside their write transaction and update this copy from the writer thread,
/// in commit order.
final class Catalog: Sendable {
    private let tables = Mutex<[String: TableDefinition]>([:])

    func table(named name: String) -> TableDefinition? {
        tables.withLock { $0[name] }
    }

    func allNames() -> [String] {
        tables.withLock { Array($0.keys) }
    }

    func replaceAll(with definitions: [TableDefinition]) {
        let byName = Dictionary(definitions.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        tables.withLock { $0 = byName }
    }

    func put(_ definition: TableDefinition) {
        tables.withLock { $0[definition.name] = definition }
    }

    /// Inside a write transaction: the table's definition as of that transaction, so index
    /// maintenance follows DDL that committed after the request looked its table up.
    func current(_ table: TableDefinition) throws(KVError) -> TableDefinition {
        guard let current = self.table(named: table.name), current.storageID == table.storageID else {
            throw .resourceNotFound("Requested resource not found")
        }
        return current
    }

    func remove(_ name: String) {
        tables.withLock { _ = $0.removeValue(forKey: name) }
    }
}
