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
        var start: RangePosition?
        if let exclusiveStartKey = request.options.exclusiveStartKey {
            let position = try source.startPosition(exclusiveStartKey, isQuery: false)
            // A parallel Scan resumes only inside its own segment (text as recorded by
            // ddb-local-rs; DynamoDB checks it, see API_Scan.html "ExclusiveStartKey").
            if request.totalSegments != nil, !(low..<high).contains(position.hash) {
                throw KVError.validation(
                    "The provided Exclusive start key does not map to the provided Segment and TotalSegments values.")
            }
            start = position
        }
        let range = ItemRange(index: source.index, span: .hashSlice(low: low, high: high), start: start, order: .ascending)
        // A Scan walks the whole table unless a small Limit ends its page early.
        let mayFitInline = (request.options.limit ?? .max) <= InlineReadBudget.inline.rows
        return try await readPage(source: source, options: request.options, mayFitInline: mayFitInline, range: range)
    }

    /// The half-open slice of the hash space [0, 2^32) that segment `segment` of `total` covers.
    static func hashRange(segment: Int, of total: Int) -> (Int64, Int64) {
        let space: Int64 = 1 << 32
        let total = Int64(max(total, 1))
        let segment = Int64(min(max(segment, 0), Int(total) - 1))
        return (segment * space / total, (segment + 1) * space / total)
    }
}
