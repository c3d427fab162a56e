#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A consistent copy of one table written to a `SnapshotFile`: taken inside one read
/// transaction on a reader connection (one WAL snapshot), so writers are never blocked and a
/// write is either wholly in it or not at all.
extension KVEngine {
    struct Snapshot: Sendable {
        var table: TableDefinition
        var itemCount: Int64
        var sizeBytes: Int64
    }

    /// Writes the items of table `name` (of storage `storageID`, when given) to `path`.
    /// - Parameter asOf: a past time: the items as they were then, from the PITR change log.
    /// - Parameter pinned: called once the read transaction sees its snapshot (after the first
    ///   read): from then on, later writes cannot change what is written.
    /// - Throws: TableNotFoundException when the table does not exist (any more).
    func writeSnapshot(
        of name: String, storageID: Int64?, to path: String, asOf: Double? = nil,
        pinned: (@Sendable () -> Void)? = nil
    ) async throws -> Snapshot {
        try await database.read { connection in
            let lookup = try connection.statement("SELECT definition FROM kv_tables WHERE name = ?")
            defer { lookup.reset() }
            try lookup.bind(1, name)
            guard try lookup.step() else { throw KVError(.tableNotFound, "Table not found: \(name)") }
            let table = try JSONDecoder().decode(TableDefinition.self, from: Data(lookup.text(0).utf8))
            lookup.reset()
            if let storageID, table.storageID != storageID {
                throw KVError(.tableNotFound, "Table not found: \(name)")
            }
            pinned?()
            var changed: [StorageKey: [UInt8]?] = [:]
            if let asOf {
                changed = try ChangeLog.stateAt(asOf, table: table, connection: connection)
            }
            let writer = try SnapshotFile.Writer(path: path)
            let rows = try connection.statement("SELECT h, pk, sk, size, item FROM \(table.sqlTableName) ORDER BY h, pk, sk")
            defer { rows.reset() }
            while try rows.step() {
                if !changed.isEmpty {
                    let key = StorageKey(hash: rows.int64(0), partition: rows.blob(1), sort: rows.blob(2))
                    if let then = changed.removeValue(forKey: key) {
                        if let then { try writer.append(encoded: then, size: ItemSize.of(try ItemCodec.decode(then))) }
                        continue
                    }
                }
                try writer.append(encoded: rows.blob(4), size: Int(rows.int64(3)))
            }
            // Items deleted since `asOf`.
            for case let (_, then?) in changed {
                try writer.append(encoded: then, size: ItemSize.of(try ItemCodec.decode(then)))
            }
            try writer.finish()
            return Snapshot(table: table, itemCount: writer.itemCount, sizeBytes: writer.sizeBytes)
        }
    }
}
