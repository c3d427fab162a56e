/// How the SQLite files use the disk (file mode): WAL checkpointing and truncation, and the
/// space kept in reserve so that deletes still work once the disk is full; and how much memory
/// SQLite's page cache may hold (both modes).
public struct StorageSettings: Sendable, Equatable {
    /// WAL size at which a background checkpoint is asked for (see `Checkpointer`); at twice
    /// this the writer checkpoints itself.
    public var walCheckpointBytes: Int64
    /// After a checkpoint has copied the whole WAL, the WAL file is truncated to at most this
    /// size when it is restarted (SQLite's `journal_size_limit`), so it never keeps its peak size.
    public var walSizeLimitBytes: Int64
    /// Bytes preallocated in `kvstore.reserve` beside the database. Released when a write finds
    /// the disk full, so deletes (which need room in the WAL) and the checkpoint that follows
    /// them can still run; re-created when space returns. 0 disables the reserve.
    public var reserveBytes: Int64
    /// SQLite's page cache over all connections together (its soft heap limit, see
    /// `Database.applyPageCacheLimit`): past it, connections recycle their least recently used
    /// pages instead of growing. Pages that miss are read again from the OS page cache (file
    /// mode) or the memory file system (in memory), a copy of a few microseconds, so the cache
    /// trades resident memory for that copy.
    public var pageCacheBytes: Int64

    public static let mebibyte: Int64 = 1 << 20
    public static let defaultPageCacheBytes: Int64 = 16 * mebibyte

    /// The defaults of `--in-memory`, whose WAL lives in memory (tmpfs): checkpoints there copy
    /// pages without a disk sync, so a WAL a quarter of file mode's costs nothing measurable
    /// (`Scripts/bench/ab.py`, 4 vs 16 MiB: PutItem -0.9%, UpdateItem +0.4%, BatchWriteItem -1.1%,
    /// the 80/20 mix -1.7% server CPU per request) and keeps about 40 MiB less of it in memory
    /// (file mode's WAL peaks near three times its checkpoint size under load, README).
    public static let inMemory = StorageSettings(walCheckpointBytes: 4 * mebibyte, walSizeLimitBytes: 8 * mebibyte)

    public init(
        walCheckpointBytes: Int64 = 16 * mebibyte, walSizeLimitBytes: Int64 = 64 * mebibyte,
        reserveBytes: Int64 = 64 * mebibyte, pageCacheBytes: Int64 = defaultPageCacheBytes
    ) {
        self.walCheckpointBytes = walCheckpointBytes
        self.walSizeLimitBytes = walSizeLimitBytes
        self.reserveBytes = reserveBytes
        self.pageCacheBytes = pageCacheBytes
    }

    /// The checkpoint threshold in pages of `pageSize` bytes (at least 1).
    func walCheckpointPages(pageSize: Int64 = 4096) -> Int32 {
        Int32(clamping: max(1, walCheckpointBytes / max(1, pageSize)))
    }
}
