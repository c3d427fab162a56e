public import Crypto
import Synchronization

/// Derived SigV4 signing keys, cached per (access key, date, region, service): deriving one
/// costs four HMACs, and a client signs every request of a day with the same key.
///
/// One cache belongs to one loaded auth configuration, so a reload that changes a secret
/// starts from an empty cache. Bounded: past `capacity` entries it starts over (a client
/// cycling through dates or regions cannot grow it without limit).
public final class SigningKeyCache: Sendable {
    private let entries = Mutex<[String: DerivedKey]>([:])
    private let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// The signing key for a scope, derived on first use.
    public func key(accessKeyID: Substring, secret: String, day: Substring, region: Substring, service: Substring)
        -> SymmetricKey
    {
        let name = "\(accessKeyID)/\(day)/\(region)/\(service)"
        if let cached = entries.withLock({ $0[name] }) { return cached.key }
        let derived = DerivedKey(
            key: SigV4.signingKey(secret: secret, day: String(day), region: String(region), service: String(service)))
        let capacity = self.capacity
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[name] = derived
        }
        return derived.key
    }

    public var count: Int { entries.withLock { $0.count } }
}

/// A derived key: an immutable value, shared read-only between event loops.
private struct DerivedKey: @unchecked Sendable {
    let key: SymmetricKey
}
