public import KVStore

/// What the policy mapping needs to know about tables that a request does not say itself:
/// the key schema (for `dynamodb:LeadingKeys`, the partition key's values) and which stream a
/// shard iterator reads (for checking `GetRecords` against the stream's ARN).
///
/// Both are synchronous lookups in the engine's in-memory catalog (`.engine(_:)`). Without
/// them (`.none`): `dynamodb:LeadingKeys` is only known for keys of one attribute, and
/// `GetRecords` is checked against `table/*/stream/*` taken literally, which only a policy with
/// a wildcard there (or `Resource: "*"`) allows: it fails closed.
public struct IAMResourceCatalog: Sendable {
    public var keySchema: @Sendable (_ table: String, _ index: String?) -> KeySchema?
    public var streamOfShardIterator: @Sendable (_ iterator: String) -> (table: String, label: String)?

    public init(
        keySchema: @escaping @Sendable (_ table: String, _ index: String?) -> KeySchema?,
        streamOfShardIterator: @escaping @Sendable (_ iterator: String) -> (table: String, label: String)?
    ) {
        self.keySchema = keySchema
        self.streamOfShardIterator = streamOfShardIterator
    }

    /// Knows nothing (see the type's documentation for what that costs).
    public static let none = IAMResourceCatalog(keySchema: { _, _ in nil }, streamOfShardIterator: { _ in nil })

    /// The engine's catalog: what the server wires in.
    public static func engine(_ engine: KVEngine) -> IAMResourceCatalog {
        IAMResourceCatalog(
            keySchema: { table, index in try? engine.keySchema(tableName: table, indexName: index) },
            streamOfShardIterator: { iterator in engine.streamOfShardIterator(iterator) })
    }
}
