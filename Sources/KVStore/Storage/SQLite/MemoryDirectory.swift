import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The private directory of an in-memory database: a WAL database on a memory file system.
///
/// In-memory mode used to be one `:memory:` connection on the writer thread, so every read
/// waited for the writer (GetItem 44% slower than file mode). A WAL file on tmpfs gives it file
/// mode's read path (reader threads, inline point reads) while the data still lives in memory
/// and vanishes with the process. The directory is removed when the database closes (or is
/// released); a process killed with SIGKILL cannot do that, so creating a directory first
/// removes those left behind by processes that no longer exist.
final class MemoryDirectory: Sendable {
    /// Where the directories go: `$KVSERVER_MEMORY_DIR`, else `/dev/shm` (Linux's memory file
    /// system), else `$TMPDIR` or `/tmp`.
    static var base: String {
        if let configured = getenv("KVSERVER_MEMORY_DIR").map({ String(cString: $0) }), !configured.isEmpty {
            return configured
        }
        if access("/dev/shm", W_OK | X_OK) == 0 { return "/dev/shm" }
        if let tmp = getenv("TMPDIR").map({ String(cString: $0) }), !tmp.isEmpty { return tmp }
        return "/tmp"
    }

    static let prefix = "kvserver-mem-"
    /// The files SQLite keeps for a WAL database named `kvstore.sqlite`.
    static let fileNames = ["kvstore.sqlite", "kvstore.sqlite-wal", "kvstore.sqlite-shm", "kvstore.sqlite-journal"]

    let path: String
    var databasePath: String { path + "/kvstore.sqlite" }
    private let removed = Atomic<Bool>(false)

    private init(path: String) {
        self.path = path
    }

    /// Makes a new private directory (mode 0700).
    static func create() throws -> MemoryDirectory {
        let base = Self.base
        removeAbandoned(in: base)
        var template = Array("\(base)/\(prefix)\(getpid())-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let made else {
            throw SQLiteError(
                code: SQLITE_CANTOPEN,
                message: "cannot create a directory for the in-memory database in \(base) (errno \(errno)); "
                    + "set KVSERVER_MEMORY_DIR to a writable directory")
        }
        return MemoryDirectory(path: made)
    }

    /// Deletes the database files and the directory. Idempotent. Open connections keep working
    /// on the unlinked files until they close.
    func remove() {
        guard !removed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Self.removeDirectory(path)
    }

    deinit {
        remove()
    }

    /// Directories the engine keeps beside the database (on-demand backups, exports), removed with it.
    static let subdirectories = ["backups", "exports"]

    private static func removeDirectory(_ path: String) {
        for name in fileNames { unlink(path + "/" + name) }
        for name in subdirectories { removeTree(path + "/" + name) }
        rmdir(path)
    }

    /// Removes a directory and everything in it (not following symbolic links).
    private static func removeTree(_ path: String) {
        guard let directory = opendir(path) else { return }
        var entries: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append(name) }
        }
        closedir(directory)
        for name in entries {
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                removeTree(child)
            } else {
                unlink(child)
            }
        }
        rmdir(path)
    }

    /// Removes `kvserver-mem-PID-*` directories whose process is gone.
    private static func removeAbandoned(in base: String) {
        guard let directory = opendir(base) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix) else { continue }
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = pid_t(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                removeDirectory(base + "/" + name)
            }
        }
    }
}
