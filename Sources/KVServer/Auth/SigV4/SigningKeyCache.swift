import Crypto
import Synchronization

/// Derived SigV4 signing keys, cached per credential scope (access key, date, region, service)
/// as ready-keyed HMACs: deriving a key costs four HMACs and keying one two hash blocks, and a
/// client signs every request of a day with the same key.
///
/// One cache belongs to one loaded auth configuration, so a reload that changes a secret
/// starts from an empty cache. Bounded: past `capacity` entries it starts over (a client
/// cycling through dates or regions cannot grow it without limit). Looked up by the bytes of
/// the credential as received, so a hit allocates nothing.
public final class SigningKeyCache: Sendable {
    /// A scope's keyed HMAC, with what the verifier would otherwise build per request. A class:
    /// a hit hands on one reference, not copies of two hash states and their strings.
    final class SigningKey: Sendable {
        /// `ACCESSKEY/DAY/REGION/SERVICE/aws4_request` as received: the cache's key.
        let credential: [UInt8]
        let hmac: KeyedHMACSHA256
        /// The scope's region, as `VerifiedSignature` names it.
        let region: String
        /// The inner state after the string to sign's first block (algorithm, time, scope),
        /// which repeats for the requests of a second.
        let stringToSignMemo: SHA256BlockMemo

        init(credential: [UInt8], hmac: KeyedHMACSHA256, region: String, stringToSignMemo: SHA256BlockMemo) {
            self.credential = credential
            self.hmac = hmac
            self.region = region
            self.stringToSignMemo = stringToSignMemo
        }

        func matches(_ credential: UnsafeBufferPointer<UInt8>) -> Bool {
            self.credential.withUnsafeBufferPointer { SigV4Bytes.equal($0, credential) }
        }
    }

    /// The canonical request's first block (method, path, query, the first signed headers),
    /// the same from request to request of a client, and its second (the rest of `host`, the
    /// request time, the start of `x-amz-target`), the same for the requests of a second:
    /// see `SHA256BlockMemo`.
    let canonicalRequestMemo = SHA256BlockMemo(blocks: 2)

    /// The parts of the last `Authorization` header that verified with a key of this cache.
    let authorizationMemo = AuthorizationHeaderMemo()

    /// The request time parsed last.
    let requestTimes = BasicTimestampMemo()

    /// Entries by the hash of their credential text.
    private let entries = Mutex<[Int: [SigningKey]]>([:])
    /// The entry found last.
    private let recent = Mutex<SigningKey?>(nil)
    private let capacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// An HMAC keyed with the signing key of a scope, derived on first use (an immutable value,
    /// shared read-only between event loops; signing continues from copies of its state), with
    /// the scope's region and its string-to-sign memo.
    ///
    /// - Parameters:
    ///   - credential: `ACCESSKEY/DAY/REGION/SERVICE/aws4_request` as received, the cache's key.
    ///   - scope: the scope's parts, asked for only to derive a key.
    func signingKey(
        credential: UnsafeBufferPointer<UInt8>, secret: String,
        scope: () -> (day: String, region: String, service: String)
    ) -> SigningKey {
        // Most requests repeat the scope of the one before: compare with it before hashing
        // (the entry is immutable: compared outside the lock).
        if let recent = recent.withLock({ $0 }), recent.matches(credential) {
            return recent
        }
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(credential))
        let hash = hasher.finalize()
        let cached = entries.withLock { entries in
            entries[hash]?.first { $0.matches(credential) }
        }
        if let cached {
            recent.withLock { $0 = cached }
            return cached
        }
        let parts = scope()
        let derived = SigningKey(
            credential: Array(credential),
            hmac: KeyedHMACSHA256(
                key: SigV4.signingKey(secret: secret, day: parts.day, region: parts.region, service: parts.service)),
            region: parts.region, stringToSignMemo: SHA256BlockMemo())
        let capacity = self.capacity
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash, default: []].append(derived)
        }
        recent.withLock { $0 = derived }
        return derived
    }

    public var count: Int { entries.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}
