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

    public init(attributes: Item?) {
        self.attributes = attributes
    }
}
