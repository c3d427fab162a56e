public import PostgresNIO

/// A lease on one singleton duty (the TTL sweeper, stream trimming, a GSI backfill), so that
/// exactly one kvserver over the database runs it at a time, and another takes over when that
/// one dies.
///
/// A row of `kv_leases` per duty: the holder renews it well within `ttl`; once it has expired,
/// any node may take it, and taking it bumps `epoch`. Time is PostgreSQL's clock
/// (`clock_timestamp()`), the one clock every node shares, so node clock skew cannot make two
/// holders. A holder that stalls past its expiry (a long GC pause, a partition) may still believe
/// it holds the lease: duty writes check it in their own transaction (`fence`), which fails once
/// another node has taken over. A lease table rather than session advisory locks: it also
/// hands over when a holder is alive but cut off, and it needs no PostgreSQL-only function.
public struct PostgresLease: Sendable {
    public let pool: PostgresPool
    public let duty: String
    /// This node's name (unique per process, e.g. host, PID and start time).
    public let holder: String
    public let ttlMilliseconds: Int64

    public init(pool: PostgresPool, duty: String, holder: String, ttlMilliseconds: Int64) {
        self.pool = pool
        self.duty = duty
        self.holder = holder
        self.ttlMilliseconds = ttlMilliseconds
    }

    /// Takes the lease if it is free or expired, or renews it if this node holds it.
    ///
    /// - Returns: the epoch this node holds it in, or nil when another node holds it.
    public func acquireOrRenew() async throws -> Int64? {
        var epoch: Int64?
        let rows = try await pool.client.execute(
            Acquire(duty: duty, holder: holder, ttlMilliseconds: ttlMilliseconds), logger: pool.logger)
        for try await value in rows { epoch = value }
        return epoch
    }

    /// Gives the lease up at once (a clean shutdown), so another node need not wait for expiry.
    /// The row stays, expired, so that epochs keep rising and fence off every earlier holder.
    public func release() async throws {
        try await pool.client.query(
            "UPDATE kv_leases SET expires = '-infinity' WHERE duty = \(duty) AND holder = \(holder)",
            logger: pool.logger)
    }

    /// Checks, inside the duty's own transaction on `connection`, that this node still holds the
    /// lease in `epoch`, and keeps a takeover out until that transaction ends (`FOR SHARE`).
    ///
    /// - Returns: false when the lease was lost: the caller must roll back.
    public func fence(epoch: Int64, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            """
            SELECT 1 FROM kv_leases WHERE duty = \(duty) AND holder = \(holder) AND epoch = \(epoch)
            AND expires > clock_timestamp() FOR SHARE
            """, logger: pool.logger)
        var held = false
        for try await _ in rows { held = true }
        return held
    }

    struct Acquire: PostgresPreparedStatement {
        // The epoch stays while the holder renews in time; any other taking (a new holder, or
        // the old one after expiry) starts a new epoch, which fences the previous one's writes.
        static let sql = """
            INSERT INTO kv_leases AS l (duty, holder, epoch, expires)
            VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond')
            ON CONFLICT (duty) DO UPDATE SET
                holder = excluded.holder,
                epoch = CASE WHEN l.holder = excluded.holder AND l.expires > clock_timestamp()
                        THEN l.epoch ELSE l.epoch + 1 END,
                expires = excluded.expires
            WHERE l.holder = excluded.holder OR l.expires <= clock_timestamp()
            RETURNING epoch
            """
        typealias Row = Int64
        let duty: String
        let holder: String
        let ttlMilliseconds: Int64

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(duty)
            bindings.append(holder)
            bindings.append(Double(ttlMilliseconds))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }
}
