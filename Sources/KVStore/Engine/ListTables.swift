public struct ListTablesResult: Sendable {
    public var tableNames: [String]
    public var lastEvaluatedTableName: String?
}

extension KVEngine {
    /// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html
    /// Names come back in ascending order; `LastEvaluatedTableName` is set only when more remain.
    public func listTables(exclusiveStartTableName: String?, limit: Int) -> ListTablesResult {
        var names = catalog.allNames().sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        if let start = exclusiveStartTableName {
            let startBytes = Array(start.utf8)
            names = names.filter { startBytes.lexicographicallyPrecedes(Array($0.utf8)) }
        }
        let page = Array(names.prefix(max(limit, 0)))
        let last = names.count > page.count ? page.last : nil
        return ListTablesResult(tableNames: page, lastEvaluatedTableName: last)
    }
}
