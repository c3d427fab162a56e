/// How a change moves an item's row in the TTL expiry index (`ExpiryRules.expiry` of the
/// item before and after): a pure decision, so that the commit only writes it.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
struct ExpiryRowChange: Equatable, Sendable {
    /// The expiry second whose row goes, if the old item had one.
    var removed: Int64?
    /// The expiry second whose row is added, if the new item has one.
    var added: Int64?

    /// nil when the expiry index keeps its row as it is (same expiry, or none before and after).
    static func between(old: Item?, new: Item?, attribute: String) -> ExpiryRowChange? {
        let before = old.flatMap { ExpiryRules.expiry(of: $0, attribute: attribute) }
        let after = new.flatMap { ExpiryRules.expiry(of: $0, attribute: attribute) }
        guard before != after else { return nil }
        return ExpiryRowChange(removed: before, added: after)
    }
}
