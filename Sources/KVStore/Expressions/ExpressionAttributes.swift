/// The ExpressionAttributeNames/Values of one request, and which of them the expressions used.
///
/// Every expression of a request resolves its `#names` and `:values` through the same instance;
/// after the last one, `checkAllUsed()` reports DynamoDB's error for unused entries.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
public struct ExpressionAttributes: Sendable {
    public let names: [String: String]
    public let values: [String: AttributeValue]
    private(set) var usedNames: Set<String> = []
    private(set) var usedValues: Set<String> = []

    public init(names: [String: String]?, values: [String: AttributeValue]?) {
        self.names = names ?? [:]
        self.values = values ?? [:]
    }

    /// Resolves `#name`, marking it used; nil when the request does not define it.
    mutating func name(_ reference: String) -> String? {
        guard let name = names[reference] else { return nil }
        usedNames.insert(reference)
        return name
    }

    /// Resolves `:value`, marking it used; nil when the request does not define it.
    mutating func value(_ reference: String) -> AttributeValue? {
        guard let value = values[reference] else { return nil }
        usedValues.insert(reference)
        return value
    }

    /// After all expressions of a request are parsed: DynamoDB's errors for unused names, then values.
    /// Keys are listed sorted (the request's own order is not kept).
    public func checkAllUsed() throws(KVError) {
        let unusedNames = names.keys.filter { !usedNames.contains($0) }.sorted()
        if !unusedNames.isEmpty {
            throw KVError.validation(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: {\(unusedNames.joined(separator: ", "))}")
        }
        let unusedValues = values.keys.filter { !usedValues.contains($0) }.sorted()
        if !unusedValues.isEmpty {
            throw KVError.validation(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: {\(unusedValues.joined(separator: ", "))}")
        }
    }
}
