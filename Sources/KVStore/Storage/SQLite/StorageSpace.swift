public import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the data directory's file system has room for writes, and the reserve that keeps
/// deletes working when it has not.
///
/// A write that finds the disk full (SQLite's SQLITE_FULL) turns the state to full: the reserve
/// file (`kvstore.reserve`, `StorageSettings.reserveBytes` preallocated) is deleted, so the
/// deletes a user sends to free space, and the checkpoint after them, find room in the WAL;
/// meanwhile every write that would grow the data fails fast (`KVError.storageFull`) instead of
/// eating that room. `recover` (called by the maintenance loop) frees what it can (incremental
/// vacuum, WAL truncation) and, once the file system has room for the reserve and as much again,
/// re-creates the reserve and lets writes through again: no restart needed.
public final class StorageSpace: Sendable {
    public let directory: String
    public let reserveBytes: Int64
    private let logger: Logger
    private let full = Atomic<Bool>(false)
    private let lock = Mutex(())

    /// The reserve file's path.
    public var reservePath: String { directory.hasSuffix("/") ? directory + "kvstore.reserve" : directory + "/kvstore.reserve" }

    public init(directory: String, reserveBytes: Int64, logger: Logger) {
        self.directory = directory
        self.reserveBytes = max(0, reserveBytes)
        self.logger = logger
    }

    /// True while writes that grow the data are refused.
    public var isFull: Bool { full.load(ordering: .acquiring) }

    /// Creates the reserve at startup. A disk without room for it and as much again for writes
    /// starts in the full state (the rule `recoverIfSpaceReturned` applies), so a server restarted
    /// on a full disk serves reads and deletes and refuses writes, as before the restart.
    func prepare() {
        lock.withLock { _ in
            guard createReserve() else {
                enterFull(reason: "the reserve file cannot be created")
                return
            }
            if reserveBytes > 0, let available = availableBytes(), available < reserveBytes + StorageSettings.mebibyte {
                enterFull(reason: "less free space than the reserve")
            }
        }
    }

    /// A write failed with SQLITE_FULL: release the reserve and refuse growing writes.
    func noteDiskFull() {
        lock.withLock { _ in
            guard !isFull else { return }
            enterFull(reason: "a write found no space left on the device")
        }
    }

    /// Space may have returned: when the file system has room for the reserve and as much again
    /// for writes, re-creates the reserve and accepts writes again. Returns true on that change.
    func recoverIfSpaceReturned() -> Bool {
        lock.withLock { _ in
            guard isFull else { return false }
            guard let available = availableBytes(), available >= 2 * reserveBytes + StorageSettings.mebibyte else {
                return false
            }
            guard createReserve() else { return false }
            full.store(false, ordering: .releasing)
            logger.notice(
                "storage.space_returned",
                metadata: ["kv.data_dir": "\(directory)", "storage.available_bytes": "\(available)"])
            return true
        }
    }

    /// Bytes the file system offers an unprivileged writer (nil when it cannot be asked).
    public func availableBytes() -> Int64? {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// The size of a file in bytes (0 when it does not exist).
    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_size)
    }

    private func enterFull(reason: String) {
        full.store(true, ordering: .releasing)
        let released = unlink(reservePath) == 0
        logger.error(
            "storage.full",
            metadata: [
                "kv.data_dir": "\(directory)", "storage.reason": "\(reason)",
                "storage.reserve_released_bytes": "\(released ? reserveBytes : 0)",
                "storage.remedy": "writes are refused until space is freed; reads and deletes still work",
            ])
    }

    /// Preallocates the reserve file (blocks really allocated, not a sparse file). True when it
    /// exists with its full size afterwards, or no reserve is configured.
    private func createReserve() -> Bool {
        guard reserveBytes > 0 else { return true }
        let descriptor = open(reservePath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if posix_fallocate(descriptor, 0, off_t(reserveBytes)) == 0 {
            return true
        }
        // Out of space (or a file system without fallocate): leave no half-made reserve behind.
        _ = ftruncate(descriptor, 0)
        unlink(reservePath)
        return false
    }
}
