/// One item mutation in the form the write pipeline plans it: what PutItem, UpdateItem,
/// DeleteItem, a BatchWriteItem request, a TransactWriteItems action and the TTL sweeper ask
/// for, once the table and key are resolved and the up-front checks are done.
struct ItemMutation: Sendable {
    enum Action: Sendable {
        /// A whole item. `size` is its `ItemSize` (already checked against the limit);
        /// `encoded` is `ItemCodec.encode(item)` when the caller made it outside the writer.
        /// `insertOnly`: a PartiQL INSERT, which fails when the key exists.
        case put(Item, size: Int, insertOnly: Bool = false, encoded: [UInt8]? = nil)
        /// An update of the item at `key` (nil expression: create it with its key if absent).
        /// `keyAttributes` are the key schema's names, which an update may not touch.
        case update(key: Item, expression: UpdateExpression?, keyAttributes: Set<String>)
        /// A deletion of the stored item.
        case delete
        /// A TransactWriteItems ConditionCheck: the condition only, nothing written.
        case check
    }

    var action: Action
    var condition: WriteCondition?
    var returnValues: ReturnValues

    init(_ action: Action, condition: WriteCondition? = nil, returnValues: ReturnValues = .none) {
        self.action = action
        self.condition = condition
        self.returnValues = returnValues
    }

    /// Whether planning needs the stored item. A put that neither checks nor returns it skips
    /// the read unless the table keeps data derived from items (`derivedData`: indexes,
    /// streams, TTL, point-in-time recovery), which the commit must update from the old item.
    func needsOldItem(derivedData: Bool) -> Bool {
        guard case .put(_, _, let insertOnly, _) = action else { return true }
        return derivedData || condition != nil || returnValues == .allOld || insertOnly
    }
}
