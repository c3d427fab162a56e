/// TransactWriteItems' client request tokens in SQLite: `kv_transaction_tokens(token,
/// fingerprint, created)` (layout in `Schema`).
extension Connection: TransactionTokenStorage {
    func purgeTransactionTokens(recordedBefore seconds: Int64) throws {
        let statement = try self.statement("DELETE FROM kv_transaction_tokens WHERE created < ?")
        defer { statement.reset() }
        try statement.bind(1, seconds)
        try statement.run()
    }

    func transactionTokenFingerprint(_ token: String) throws -> String? {
        let statement = try self.statement("SELECT fingerprint FROM kv_transaction_tokens WHERE token = ?")
        defer { statement.reset() }
        try statement.bind(1, token)
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    func recordTransactionToken(_ token: String, fingerprint: String, at seconds: Int64) throws {
        let statement = try self.statement(
            "INSERT OR REPLACE INTO kv_transaction_tokens (token, fingerprint, created) VALUES (?, ?, ?)")
        defer { statement.reset() }
        try statement.bind(1, token)
        try statement.bind(2, fingerprint)
        try statement.bind(3, seconds)
        try statement.run()
    }
}
