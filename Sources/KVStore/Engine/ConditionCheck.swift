/// The condition of a conditional write, and what a failure sends back.
public struct WriteCondition: Sendable {
    public var expression: ConditionExpression
    /// `ReturnValuesOnConditionCheckFailure=ALL_OLD`: the failing item travels in the error.
    public var returnOldItemOnFailure: Bool

    public init(_ expression: ConditionExpression, returnOldItemOnFailure: Bool = false) {
        self.expression = expression
        self.returnOldItemOnFailure = returnOldItemOnFailure
    }

    /// Evaluated inside the write transaction, against the item as stored, so check and write are atomic.
    func check(_ item: Item?) throws(KVError) {
        guard expression.evaluate(item) else {
            throw KVError(
                .conditionalCheckFailed, "The conditional request failed",
                item: returnOldItemOnFailure ? item : nil)
        }
    }
}
