import Synchronization

/// The `NextToken`s of paginated PartiQL SELECTs: opaque random handles to where the next page
/// starts, remembered by the engine.
///
/// A handle reveals nothing and cannot be forged or edited (any change makes it unknown:
/// "Invalid NextToken"); it only continues the statement and parameters that produced it
/// ("NextToken does not match request"), and expires ("Given NextToken has already expired").
/// Handles live in memory: a restart forgets them. At most `capacity` are kept; the oldest go first.
/// Texts as DynamoDB Local's ValidationExceptionMessages spell them.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
public final class StatementTokens: Sendable {
    struct Entry: Sendable {
        var statement: String
        var parameters: [AttributeValue]
        /// Which partition of a `pk IN [...]` read the page continues (0 otherwise).
        var segment: Int
        /// Where in that partition; nil at its start.
        var startKey: Item?
        var expires: Double
    }

    /// How long a NextToken stays valid, in seconds.
    static let lifetime: Double = 3600
    static let capacity = 10_000

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// A new handle for the page after `startKey`.
    func issue(statement: String, parameters: [AttributeValue], segment: Int = 0, startKey: Item?, now: Double) -> String {
        var generator = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in
            let word = generator.next() as UInt64
            let hex = String(word, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        let entry = Entry(
            statement: statement, parameters: parameters, segment: segment, startKey: startKey, expires: now + Self.lifetime)
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { $0.value.expires > now }
                while entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.expires < $1.value.expires }) {
                    entries[oldest.key] = nil
                }
            }
            entries[token] = entry
        }
        return token
    }

    /// The start key a handle stands for, checked against the request that presents it.
    func position(
        _ token: String, statement: String, parameters: [AttributeValue], now: Double
    ) throws(KVError) -> (segment: Int, startKey: Item?) {
        guard let entry = entries.withLock({ $0[token] }) else { throw PartiQLError.invalidNextToken }
        guard entry.expires > now else {
            _ = entries.withLock { $0.removeValue(forKey: token) }
            throw PartiQLError.nextTokenExpired
        }
        guard entry.statement == statement, entry.parameters == parameters else { throw PartiQLError.nextTokenMismatch }
        return (entry.segment, entry.startKey)
    }
}
