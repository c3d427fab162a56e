/// The pure step of the write pipeline: (stored item, mutation) -> `PlannedChange`, with
/// every rule a write applies to the item, in DynamoDB's order, written once for all writers.
/// No storage here, so each rule is tested directly (`MutationPlannerTests`).
enum MutationPlanner {
    /// Plans `mutation` against `old`, the item stored at its key (nil when absent, or when
    /// `mutation.needsOldItem` said it was not read). Inlined into the pipeline, where puts and
    /// deletes (a batch's many items) need only a few lines of it; an update's rules are
    /// `planUpdate`.
    /// - Parameter table: the table as of the write's transaction (its index key rules).
    /// - Throws: ConditionalCheckFailed, DuplicateItem, or a ValidationException (update
    ///   expression faults, the size limit, an index key the update made invalid).
    @inline(__always)
    static func plan(_ mutation: ItemMutation, old: Item?, table: TableDefinition) throws(KVError) -> PlannedChange {
        switch mutation.action {
        case .put(let item, let size, let insertOnly, let encoded):
            if insertOnly, old != nil { throw PartiQLError.duplicateItem }
            try mutation.condition?.check(old)
            return PlannedChange(
                effect: .put(item, size: size, encoded: encoded),
                returned: mutation.returnValues == .allOld ? old : nil, capacitySize: size)
        case .update(let key, let expression, let keyAttributes):
            return try planUpdate(mutation, key: key, expression: expression, keyAttributes: keyAttributes, old: old, table: table)
        case .delete:
            try mutation.condition?.check(old)
            return PlannedChange(
                effect: old == nil ? .none : .delete, returned: mutation.returnValues == .allOld ? old : nil,
                capacitySize: nil)
        case .check:
            try mutation.condition?.check(old)
            return PlannedChange(effect: .none, returned: nil, capacitySize: nil)
        }
    }

    /// An update: condition, the expression on the stored item (or the key), then the rules on
    /// the item it leaves.
    static func planUpdate(
        _ mutation: ItemMutation, key: Item, expression: UpdateExpression?, keyAttributes: Set<String>, old: Item?,
        table: TableDefinition
    ) throws(KVError) -> PlannedChange {
        // The condition sees the stored item first, so it wins over faults of the update itself.
        try mutation.condition?.check(old)
        var new = old ?? key
        if let expression {
            new = try expression.apply(to: new, keyAttributes: keyAttributes).item
        }
        if createsNothing(old: old, new: new, key: key, hasUpdate: expression != nil) {
            return PlannedChange(effect: .none, returned: nil, capacitySize: ItemSize.of(key))
        }
        let size = ItemSize.of(new)
        try ItemSizeLimit.checkUpdated(size: size)
        try IndexKeys.validate(new, for: table, byUpdate: true)
        return PlannedChange(
            effect: .put(new, size: size, encoded: nil),
            returned: returned(mutation.returnValues, old: old, new: new, update: expression),
            capacitySize: size)
    }

    /// An update of a missing item that only removes (REMOVE, DELETE, or AttributeUpdates'
    /// DELETE) leaves nothing but the key: DynamoDB then creates no item, returns no attributes
    /// and writes no stream record. An update with no actions at all still creates the item with
    /// its key. (Recorded against DynamoDB by ScyllaDB Alternator, scylladb/scylladb#5862 and its
    /// test_update_item.py test_empty_update.)
    static func createsNothing(old: Item?, new: Item, key: Item, hasUpdate: Bool) -> Bool {
        old == nil && hasUpdate && new == key
    }

    /// `UPDATED_OLD` / `UPDATED_NEW` return only the paths the update wrote (a nested SET returns its
    /// map/list with just that element, as dynalite's updateItem.js records from DynamoDB), read
    /// from the item before / after the update.
    /// The paths are listed only for those two modes, not for every update.
    static func returned(_ mode: ReturnValues, old: Item?, new: Item, update: UpdateExpression?) -> Item? {
        func only(_ item: Item?) -> Item? {
            guard let item else { return nil }
            let kept = ProjectionExpression(paths: update?.updatedPaths ?? []).apply(to: item)
            return kept.isEmpty ? nil : kept
        }
        switch mode {
        case .none: return nil
        case .allOld: return old
        case .allNew: return new
        case .updatedOld: return only(old)
        case .updatedNew: return only(new)
        }
    }
}
