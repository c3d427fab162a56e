/// The read loop shared by Query and Scan: walks rows in order, applies the filter,
/// projection and `Select`, and stops at `Limit` items read or 1 MB, as DynamoDB does.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
///
/// Rows come from the item storage port (`ItemRangeStorage.withRows`, a range read described by
/// `ItemRange`); the reader is generic over the store, so a row costs no dynamic dispatch on
/// SQLite (`ItemStore`); an external backend's store (`ExternalItems`) hands out its batches.
struct PageReader<Store: ItemRangeStorage> {
    let source: ReadSource
    let options: ReadOptions
    /// The table's store on the read's transaction: its range read, and its point read for a
    /// local index row whose projection lacks what the request wants.
    let store: Store

    /// Reads the page, or returns nil once `budget` is spent before the page is complete.
    func read(_ range: ItemRange, budget: InlineReadBudget = .unbounded) throws -> ReadPage? {
        let fetchFromTable = source.needsTableFetch(options)
        // Nothing looks inside the items: hand them on as stored.
        let keepsStored = options.returnsStoredItems && options.filter == nil && options.projection == nil && !fetchFromTable
        let returnsItems = options.select != .count
        return try store.withRows(in: range) { rows in
            var page = ReadPage()
            if let limit = options.limit { page.storedItems.expectedCount = limit }
            var stoppedEarly = false
            while try rows.next() {
                page.scannedCount += 1
                page.bytesRead += rows.size
                if keepsStored {
                    page.count += 1
                    if returnsItems { rows.withItemBytes { page.storedItems.append($0) } }
                } else {
                    var item = try rows.withItemBytes { try ItemCodec.decode($0) }
                    if fetchFromTable, let full = try store.fetchEntry(rows.tableKey)?.item {
                        item = full
                    }
                    if options.filter?(item) ?? true {
                        page.count += 1
                        if returnsItems {
                            page.items.append(options.projection?(item) ?? item)
                        }
                    }
                }
                if let limit = options.limit, page.scannedCount >= limit {
                    stoppedEarly = true
                    break
                }
                if page.bytesRead >= ReadSource.pageLimit {
                    stoppedEarly = true
                    break
                }
                if page.scannedCount >= budget.rows || page.bytesRead >= budget.bytes {
                    return nil
                }
            }
            if stoppedEarly {
                // The row as stored (an index row has every key): its keys are where the next page
                // starts. Decoded once here, while the rows still stand on it.
                let lastRead = try rows.withItemBytes { try ItemCodec.decode($0) }
                page.lastEvaluatedKey = source.lastEvaluatedKey(of: lastRead)
            }
            page.consumedCapacity = .read(
                table: source.table.name, index: source.index, bytes: page.bytesRead,
                CapacityUnits.ReadKind(consistent: options.consistentRead))
            return page
        }
    }
}

/// How much a page read on the calling thread (see `KVEngine.readPage`) may read before it is
/// abandoned and handed to a reader thread instead.
///
/// The event loop that runs an inline read serves no other connection meanwhile, so the bound
/// keeps that to about what writing the page's answer costs anyway (100 small items, a quarter
/// of the 1 MB a full page may read), while the pages worth the saved thread hand-off (two
/// wake-ups per request) fit.
struct InlineReadBudget {
    var rows: Int
    var bytes: Int

    static let inline = InlineReadBudget(rows: 100, bytes: 256 * 1024)
    static let unbounded = InlineReadBudget(rows: .max, bytes: .max)
}

extension KVEngine {
    /// Reads one page of a Query or Scan.
    ///
    /// A page that needs one statement (no fetch from the table) and that `mayFitInline` is
    /// first tried right here on the thread's own read-only connection, as GetItem reads (a
    /// single statement is its own consistent snapshot); if it reads more than
    /// `InlineReadBudget.inline`, that attempt is dropped and the page is read on a reader thread.
    ///
    /// On an external backend the page is read in one read transaction, its rows fetched in
    /// batches (`ExternalItemRows`); there is no inline attempt. A page with `ConsistentRead`
    /// false (every page of a global secondary index) may come from a replica (`ReadConsistency`).
    func readPage(source: ReadSource, options: ReadOptions, mayFitInline: Bool, range: ItemRange) async throws -> ReadPage {
        guard case .sqlite(let database) = storage else {
            return try await onExistingTable {
                try await storage.read(ReadConsistency(consistentRead: options.consistentRead)) { transaction in
                    guard case .external(var store) = try transaction.items(source.table) else {
                        throw KVError.internalError("an external page read on SQLite")
                    }
                    store.rowLimit = options.limit
                    guard let page = try PageReader(source: source, options: options, store: store).read(range) else {
                        throw KVError.internalError("an unbounded page read stopped early")
                    }
                    return page
                }
            }
        }
        return try await onExistingTable {
            if mayFitInline, !source.needsTableFetch(options) {
                let page = try database.inlineReaders.read { connection in
                    let reader = PageReader(source: source, options: options, store: ItemStore(table: source.table, connection: connection))
                    return try reader.read(range, budget: .inline)
                }
                if let page { return page }
            }
            return try await database.read { connection in
                let reader = PageReader(source: source, options: options, store: ItemStore(table: source.table, connection: connection))
                guard let page = try reader.read(range) else {
                    throw KVError.internalError("an unbounded page read stopped early")
                }
                return page
            }
        }
    }
}
