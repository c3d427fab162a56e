/// One authorization question, as IAM asks it: may the principal perform `action` on
/// `resource` in this `context`? A DynamoDB request may ask several (one per table of a batch,
/// one per action of a transaction): see `DynamoDBAuthorizationMapping`.
public struct IAMRequest: Sendable, Equatable {
    /// `service:Action`, e.g. `dynamodb:PutItem`.
    public var action: String
    /// The resource ARN, e.g. `arn:aws:dynamodb:us-east-1:111122223333:table/Orders`, or `*`.
    public var resource: String
    public var context: IAMContext

    public init(action: String, resource: String, context: IAMContext = IAMContext()) {
        self.action = action
        self.resource = resource
        self.context = context
    }
}
