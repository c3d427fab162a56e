public import PostgresNIO

/// TransactWriteItems idempotency tokens (`kv_transaction_tokens`), shared by every node.
///
/// A token is claimed in the same transaction as the writes it guards: if that transaction
/// rolls back, so does the claim. Two calls with one token on two nodes: the second INSERT waits
/// for the first transaction, then finds its row, so exactly one of them writes.
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
/// (ClientRequestToken: idempotent for 10 minutes).
public enum PostgresTokens {
    /// What a token was found to be.
    public enum Claim: Sendable, Equatable {
        /// New: this transaction owns it; go on with the writes.
        case claimed
        /// Used before (within its lifetime) by a request with this fingerprint: answer as if
        /// done when the fingerprint is this request's, else IdempotentParameterMismatchException.
        case used(fingerprint: String)
    }

    /// Claims `token` in the caller's transaction. Tokens older than `lifetimeSeconds` count as new.
    public static func claim(
        _ token: String, fingerprint: String, now: Int64, lifetimeSeconds: Int64 = 600,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Claim {
        // An expired row is taken over in place; a live one is left alone and read back.
        let rows = try await connection.query(
            """
            INSERT INTO kv_transaction_tokens AS t (token, fingerprint, created)
            VALUES (\(token), \(fingerprint), \(now))
            ON CONFLICT (token) DO UPDATE SET fingerprint = excluded.fingerprint, created = excluded.created
            WHERE t.created <= \(now - lifetimeSeconds)
            RETURNING 1
            """, logger: logger)
        var claimed = false
        for try await _ in rows { claimed = true }
        if claimed { return .claimed }
        let existing = try await connection.query(
            "SELECT fingerprint FROM kv_transaction_tokens WHERE token = \(token)", logger: logger)
        for try await fingerprint in existing.decode(String.self) {
            return .used(fingerprint: fingerprint)
        }
        throw PostgresStorageError.unexpected("a transaction token neither inserted nor found")
    }

    /// Deletes tokens older than their lifetime (a housekeeping duty, under a lease).
    ///
    /// - Returns: how many were deleted.
    public static func purge(olderThan cutoff: Int64, pool: PostgresPool) async throws -> Int {
        let rows = try await pool.client.query(
            "DELETE FROM kv_transaction_tokens WHERE created <= \(cutoff) RETURNING 1", logger: pool.logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}
