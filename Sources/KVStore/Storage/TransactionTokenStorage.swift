/// The storage port of TransactWriteItems' idempotency tokens (`ClientRequestToken`, see
/// `StoragePort`): recorded in the same transaction as the writes they guard, so a call that
/// failed leaves no token behind.
public protocol TransactionTokenStorage {
    /// Forgets the tokens recorded before `seconds` (whole seconds since 1970).
    func purgeTransactionTokens(recordedBefore seconds: Int64) throws

    /// The fingerprint of the request a token was first used with, or nil for an unknown token.
    func transactionTokenFingerprint(_ token: String) throws -> String?

    /// Records (or replaces) a token with its request's fingerprint, at `seconds` since 1970.
    func recordTransactionToken(_ token: String, fingerprint: String, at seconds: Int64) throws
}
