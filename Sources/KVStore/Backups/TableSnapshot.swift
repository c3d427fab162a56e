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
        try await storage.read { connection in
            guard let table = try connection.tableDefinition(named: name) else {
                throw KVError(.tableNotFound, "Table not found: \(name)")
            }
            if let storageID, table.storageID != storageID {
                throw KVError(.tableNotFound, "Table not found: \(name)")
            }
            pinned?()
            var changed: [StorageKey: [UInt8]?] = [:]
            if let asOf {
                changed = try connection.changeLogState(of: table, atMillis: ChangeLog.milliseconds(asOf))
            }
            let writer = try SnapshotFile.Writer(path: path)
            try connection.forEachEncodedItem(of: table) { key, size, bytes in
                if !changed.isEmpty, let then = changed.removeValue(forKey: key) {
                    if let then { try writer.append(encoded: then, size: ItemSize.of(try ItemCodec.decode(then))) }
                    return
                }
                try writer.append(encoded: bytes, size: size)
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
