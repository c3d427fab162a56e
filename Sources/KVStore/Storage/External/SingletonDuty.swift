/// A background duty that must run on one kvserver at a time when several share one database
/// (an external backend such as PostgreSQL, issue #18): the TTL sweeper, stream trimming, GSI
/// backfill, stream triggers' delivery, and the backend's own housekeeping. The backend decides
/// who runs it (`ExternalStorageBackend.whileHolding`: PostgreSQL by a lease that passes to
/// another node when the holder dies); SQLite has one process, which always runs it.
public enum SingletonDuty: String, Sendable, CaseIterable {
    /// Deleting items whose TTL passed (`KVEngine.deleteExpiredItems`) and filling new expiry indexes.
    case timeToLive = "ttl-sweeper"
    /// Dropping stream records past retention and drained shards (`KVEngine.trimStreams`), and
    /// point-in-time recovery's history past each table's recovery period (`trimChangeLogs`).
    case streamTrimming = "stream-trimming"
    /// Filling new global secondary indexes from their table's items (`KVEngine.backfill`).
    case indexBackfill = "index-backfill"
    /// Delivering stream triggers' batches and moving their checkpoints (`TriggerRunner`): one
    /// node delivers, so each shard's records reach the target in order, once per checkpoint.
    case streamTriggers = "stream-triggers"
    /// The backend's own background work (PostgreSQL: purging deleted tables' rows and old
    /// transaction tokens), run by `ExternalStorageBackend.maintain`.
    case housekeeping = "housekeeping"
}

extension ExternalStorageBackend {
    /// Default: a backend with one process (or no coordination) runs every duty.
    public func whileHolding(_ duty: SingletonDuty, _ body: () async throws -> Void) async throws -> Bool {
        try await body()
        return true
    }

    /// Default: no background work of the backend's own.
    public func maintain() async throws {}
}
