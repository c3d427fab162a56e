public struct ScanRequest: Sendable {
    public var tableName: String
    /// Parallel scan: this segment of `totalSegments`.
    public var segment: Int?
    public var totalSegments: Int?
    public var options: ReadOptions

    public init(tableName: String, segment: Int? = nil, totalSegments: Int? = nil, options: ReadOptions = ReadOptions()) {
        self.tableName = tableName
        self.segment = segment
        self.totalSegments = totalSegments
        self.options = options
    }
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
    /// Rows come in partition-hash order; a segment is a slice of the 32-bit hash space,
    /// so segments never overlap and together cover every item exactly once.
    public func scan(_ request: ScanRequest) async throws -> ReadPage {
        let table = try existingTable(request.tableName)
        let source = try ReadSource(table: table, options: request.options)
        let (low, high) = Self.hashRange(segment: request.segment ?? 0, of: request.totalSegments ?? 1)
        var clauses = ["h >= ?", "h < ?"]
        var arguments: [PageReader.Argument] = [.integer(low), .integer(high)]
        let columns = ["h", "pk"] + source.orderColumns
        if let start = request.options.exclusiveStartKey {
            let position = try source.startPosition(start, isQuery: false)
            // A parallel Scan resumes only inside its own segment (text as recorded by
            // ddb-local-rs; DynamoDB checks it, see API_Scan.html "ExclusiveStartKey").
            if request.totalSegments != nil, case .integer(let hash)? = position.first, !(low..<high).contains(hash) {
                throw KVError.validation(
                    "The provided Exclusive start key does not map to the provided Segment and TotalSegments values.")
            }
            let marks = Array(repeating: "?", count: position.count).joined(separator: ", ")
            clauses.append("(\(columns.joined(separator: ", "))) > (\(marks))")
            arguments += position.map(Self.argument)
        }
        let sql = "SELECT \(source.pageColumns) FROM \(source.sqlTableName) WHERE \(clauses.joined(separator: " AND ")) ORDER BY \(columns.joined(separator: ", "))"
        // A Scan walks the whole table unless a small Limit ends its page early.
        let mayFitInline = (request.options.limit ?? .max) <= InlineReadBudget.inline.rows
        return try await readPage(source: source, options: request.options, mayFitInline: mayFitInline, sql: sql, arguments: arguments)
    }

    /// The half-open slice of the hash space [0, 2^32) that segment `segment` of `total` covers.
    static func hashRange(segment: Int, of total: Int) -> (Int64, Int64) {
        let space: Int64 = 1 << 32
        let total = Int64(max(total, 1))
        let segment = Int64(min(max(segment, 0), Int(total) - 1))
        return (segment * space / total, (segment + 1) * space / total)
    }
}
