import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tells whether another process holds POSIX locks on a database (SQLite locks the database
/// file and its `-shm` while a connection is open in WAL mode).
enum FileLockProbe {
    /// The pid of a process holding a lock on one of the files, if any.
    static func holder(of paths: [String]) -> Int32? {
        for path in paths where FileManager.default.fileExists(atPath: path) {
            let fd = open(path, O_RDWR)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            var lock = flock()
            lock.l_type = Int16(F_WRLCK)
            lock.l_whence = Int16(SEEK_SET)
            lock.l_start = 0
            lock.l_len = 0
            if fcntl(fd, F_GETLK, &lock) == 0, lock.l_type != Int16(F_UNLCK) { return lock.l_pid }
        }
        return nil
    }
}
