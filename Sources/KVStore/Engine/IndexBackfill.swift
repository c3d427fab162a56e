import Logging

/// Fills a new global secondary index from the items already in its table.
///
/// The work is done in short write transactions of `batchSize` items, each reading the
/// current items in key order on the writer connection, so writers interleave with the
/// backfill and never wait long; writes that land meanwhile maintain the index themselves
/// (the index is in the catalog from the start). When the walk ends the index turns ACTIVE.
extension KVEngine {
    static let backfillBatchSize = 500

    func startBackfill(table: TableDefinition, index: IndexDefinition) {
        // Over a shared database the holder of `SingletonDuty.indexBackfill` backfills, from its
        // maintenance pass (`resumeSharedBackfills`), whichever node the index was made on.
        guard !catalogIsShared else { return }
        Task { [self] in
            do {
                try await backfill(table: table, index: index)
            } catch {
                logger.error("kv.index.backfill.failed", metadata: ["kv.table": "\(table.name)", "kv.index": "\(index.name)"])
            }
        }
    }

    /// Resumes backfills that a stopped server left unfinished.
    func resumeBackfills() {
        for name in catalog.allNames() {
            guard let table = catalog.table(named: name) else { continue }
            for index in table.globalIndexes where index.backfilling {
                startBackfill(table: table, index: index)
            }
        }
    }

    /// Over a shared database: `resumeSharedBackfills` in a task of its own, unless one is under
    /// way, so that a long backfill does not hold up the maintenance pass's other duties.
    func startSharedBackfills(catalogCurrent: Bool) {
        guard sharedBackfills.begin() else { return }
        Task { [self] in
            defer { sharedBackfills.end() }
            do {
                try await resumeSharedBackfills(catalogCurrent: catalogCurrent)
            } catch {
                logger.warning("kv.index.backfill.failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            }
        }
    }

    /// Over a shared database, on the holder of `SingletonDuty.indexBackfill` only: every
    /// backfill left unfinished, made on any node (or by one that died), one after another.
    func resumeSharedBackfills(catalogCurrent: Bool) async throws {
        try await storage.singleton(.indexBackfill) {
            if !catalogCurrent { await refreshCatalog() }
            for name in catalog.allNames() {
                guard let table = catalog.table(named: name) else { continue }
                for index in table.globalIndexes where index.backfilling {
                    try await backfill(table: table, index: index)
                }
            }
        }
    }

    func backfill(table: TableDefinition, index: IndexDefinition) async throws {
        let catalog = self.catalog
        var position: StorageKey?
        while true {
            let after = position
            // nil: the index was deleted meanwhile; .some(nil): every item is in.
            let next: StorageKey?? = try await storage.write { connection in
                let current = try catalog.current(table)
                guard let live = current.index(named: index.name), live.number == index.number, live.backfilling else {
                    return nil
                }
                let store = try connection.items(current)
                return .some(
                    try store.forEachItem(after: after, limit: Self.backfillBatchSize) { key, item in
                        try store.backfillIndex(live, key: key, item: item)
                    })
            }
            switch next {
            case .some(.some(let last)):
                position = last
            case .some(.none):
                try await finishBackfill(table: table, index: index)
                return
            case .none:
                return
            }
        }
    }

    private func finishBackfill(table: TableDefinition, index: IndexDefinition) async throws {
        let catalog = self.catalog
        try await storage.write { connection in
            var current = try catalog.current(table)
            guard let position = current.globalIndexes.firstIndex(where: { $0.number == index.number }) else { return }
            current.globalIndexes[position].status = .active
            current.globalIndexes[position].backfilling = false
            try connection.saveTableDefinition(current)
            catalog.put(current)
        }
    }
}
