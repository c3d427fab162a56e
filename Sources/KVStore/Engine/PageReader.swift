/// The read loop shared by Query and Scan: walks rows in order, applies the filter,
/// projection and `Select`, and stops at `Limit` items read or 1 MB, as DynamoDB does.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
struct PageReader {
    let source: ReadSource
    let options: ReadOptions
    let connection: Connection

    enum Argument {
        case integer(Int64)
        case blob([UInt8])
    }

    /// Reads the page, or returns nil once `budget` is spent before the page is complete.
    func read(sql: String, arguments: [Argument], budget: InlineReadBudget = .unbounded) throws -> ReadPage? {
        let statement = try connection.statement(sql)
        defer { statement.reset() }
        for (offset, argument) in arguments.enumerated() {
            let position = Int32(offset + 1)
            switch argument {
            case .integer(let value): try statement.bind(position, value)
            case .blob(let value): try statement.bind(position, value)
            }
        }
        let fetchFromTable = source.needsTableFetch(options)
        // Nothing looks inside the items: hand them on as stored.
        let keepsStored = options.returnsStoredItems && options.filter == nil && options.projection == nil && !fetchFromTable
        let returnsItems = options.select != .count
        let tableStore = ItemStore(table: source.table, connection: connection)
        var page = ReadPage()
        var stoppedEarly = false
        while try statement.step() {
            page.scannedCount += 1
            page.bytesRead += Int(statement.int64(1))
            if keepsStored {
                page.count += 1
                if returnsItems { statement.withUnsafeBlob(0) { page.storedItems.append($0) } }
            } else {
                var item = try statement.withUnsafeBlob(0) { try ItemCodec.decode($0) }
                if fetchFromTable {
                    let partition = statement.blob(2)
                    let key = StorageKey(hash: PartitionHash.of(partition), partition: partition, sort: statement.blob(3))
                    if let full = try tableStore.fetch(key) { item = full }
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
            // starts. Decoded once here, while the statement still stands on it.
            let lastRead = try statement.withUnsafeBlob(0) { try ItemCodec.decode($0) }
            page.lastEvaluatedKey = source.lastEvaluatedKey(of: lastRead)
        }
        page.consumedCapacity = .read(
            table: source.table.name, index: source.index, bytes: page.bytesRead,
            CapacityUnits.ReadKind(consistent: options.consistentRead))
        return page
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
    func readPage(
        source: ReadSource, options: ReadOptions, mayFitInline: Bool, sql: String, arguments: [PageReader.Argument]
    ) async throws -> ReadPage {
        // Query and Scan read with SQL (the port has no page read yet).
        let database = try storage.sqlite(for: "Query and Scan")
        return try await onExistingTable {
            if mayFitInline, !source.needsTableFetch(options) {
                let page = try database.inlineReaders.read { connection in
                    let reader = PageReader(source: source, options: options, connection: connection)
                    return try reader.read(sql: sql, arguments: arguments, budget: .inline)
                }
                if let page { return page }
            }
            return try await database.read { connection in
                let reader = PageReader(source: source, options: options, connection: connection)
                guard let page = try reader.read(sql: sql, arguments: arguments) else {
                    throw KVError.internalError("an unbounded page read stopped early")
                }
                return page
            }
        }
    }
}
