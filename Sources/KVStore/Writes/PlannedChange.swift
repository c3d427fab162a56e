/// What the pure planning step decided for one item: the change to commit, the attributes
/// to return, and the item size that counts toward the write's capacity.
public struct PlannedChange: Sendable {
    public enum Effect: Sendable {
        /// Nothing to write: a ConditionCheck that passed, a deletion of a missing item, or an
        /// update of a missing item that leaves only its key (see `MutationPlanner.createsNothing`).
        case none
        /// Store `item` (of `ItemSize` `size`; `encoded` when made outside the writer).
        case put(Item, size: Int, encoded: [UInt8]?)
        /// Remove the stored item.
        case delete
    }

    public var effect: Effect
    /// The attributes `ReturnValues` asked for.
    public var returned: Item?
    /// The new size for capacity (the larger of it and the old size counts); nil for a deletion or a check.
    public var capacitySize: Int?

    /// The item after the change, nil when deleted or untouched.
    public var newItem: Item? {
        if case .put(let item, _, _) = effect { return item }
        return nil
    }

    /// An update of a missing item that creates nothing: no attributes, metrics or stream record.
    public var createsNothing: Bool {
        if case .none = effect, capacitySize != nil { return true }
        return false
    }
}
