/// A PartiQL statement as a request carries it.
public struct PartiQLStatementInput: Sendable {
    public var statement: String
    public var parameters: [AttributeValue]
    public var consistentRead: Bool
    /// `ReturnValuesOnConditionCheckFailure=ALL_OLD`.
    public var returnOldItemOnConditionFailure: Bool

    public init(
        statement: String, parameters: [AttributeValue] = [], consistentRead: Bool = false,
        returnOldItemOnConditionFailure: Bool = false
    ) {
        self.statement = statement
        self.parameters = parameters
        self.consistentRead = consistentRead
        self.returnOldItemOnConditionFailure = returnOldItemOnConditionFailure
    }
}
