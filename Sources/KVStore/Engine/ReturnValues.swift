/// What a write sends back (`ReturnValues`).
public enum ReturnValues: String, Sendable, CaseIterable {
    case none = "NONE"
    case allOld = "ALL_OLD"
    case updatedOld = "UPDATED_OLD"
    case allNew = "ALL_NEW"
    case updatedNew = "UPDATED_NEW"
}

/// The outcome of a single-item write: the attributes `ReturnValues` asked for, if any.
public struct WriteResult: Sendable {
    public var attributes: Item?
    /// The capacity the write consumed on the table and its indexes.
    public var consumedCapacity: ConsumedCapacity?

    public init(attributes: Item?, consumedCapacity: ConsumedCapacity? = nil) {
        self.attributes = attributes
        self.consumedCapacity = consumedCapacity
    }
}
