/// What tools outside the engine may learn from a statement without running it.
public enum PartiQLStatementInfo {
    /// The table (and index) a statement names, or nil when it does not parse.
    /// kvctl uses it to put the key columns first when it prints rows.
    public static func source(of statement: String) -> (table: String, index: String?)? {
        guard let parsed = try? PartiQLParser.parse(statement) else { return nil }
        switch parsed.statement {
        case .select(let select), .exists(let select): return (select.source.table, select.source.index)
        case .insert(let table, _): return (table, nil)
        case .update(let source, _, _, _), .delete(let source, _, _): return (source.table, source.index)
        }
    }
}
