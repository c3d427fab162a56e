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

    /// Columns every page query selects, in this order.
    var selectedColumns: String { source.index == nil ? "item, size" : "item, size, tpk, tsk" }

    func read(sql: String, arguments: [Argument]) throws -> ReadPage {
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
        let tableStore = ItemStore(table: source.table, connection: connection)
        var page = ReadPage(items: [], count: 0, scannedCount: 0, lastEvaluatedKey: nil, bytesRead: 0)
        var stoppedEarly = false
        var lastRead: Item?
        while try statement.step() {
            var item = try ItemCodec.decode(statement.blob(0))
            page.scannedCount += 1
            page.bytesRead += Int(statement.int64(1))
            // The row as stored (an index row has every key): its keys become LastEvaluatedKey
            // if the page ends here, worked out once at the end rather than for every row.
            lastRead = item
            if fetchFromTable {
                let partition = statement.blob(2)
                let key = StorageKey(hash: PartitionHash.of(partition), partition: partition, sort: statement.blob(3))
                if let full = try tableStore.fetch(key) { item = full }
            }
            if options.filter?(item) ?? true {
                page.count += 1
                if options.select != .count {
                    page.items.append(options.projection?(item) ?? item)
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
        }
        if stoppedEarly, let lastRead { page.lastEvaluatedKey = source.lastEvaluatedKey(of: lastRead) }
        page.consumedCapacity = .read(
            table: source.table.name, index: source.index, bytes: page.bytesRead,
            CapacityUnits.ReadKind(consistent: options.consistentRead))
        return page
    }
}
