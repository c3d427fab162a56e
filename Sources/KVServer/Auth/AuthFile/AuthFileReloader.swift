public import Logging
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps the auth configuration in step with its file: reloads when the file changes
/// (checked every `interval`) and on SIGHUP. A file that cannot be read, parsed or validated
/// leaves the configuration in force and logs why (paths and reasons, never secrets): a typo
/// never locks everyone out and never opens the door.
///
/// Without an auth file (`path` nil) it only passes SIGHUPs on to `onHangup`.
public struct AuthFileReloader: Service {
    let path: String?
    let store: AuthConfigurationStore?
    let reload: ReloadTrigger
    let interval: Duration
    let logger: Logger
    /// Extra work done on each SIGHUP (reloading the TLS certificate).
    let onHangup: @Sendable () -> Void
    /// Other files watched the same way (the `--faults` file): each one's `reload` runs when it
    /// changes and on SIGHUP.
    let watched: [WatchedFile]

    /// A file kept in step with its contents by this reloader.
    public struct WatchedFile: Sendable {
        public var path: String
        /// Reads and applies the file; keeps what is in force (and logs why) when it is bad.
        public var reload: @Sendable () -> Void

        public init(path: String, reload: @escaping @Sendable () -> Void) {
            self.path = path
            self.reload = reload
        }
    }

    public init(
        path: String?, store: AuthConfigurationStore?, reload: ReloadTrigger, interval: Duration = .milliseconds(500),
        logger: Logger, onHangup: @escaping @Sendable () -> Void = {}, watched: [WatchedFile] = []
    ) {
        self.path = path
        self.store = store
        self.reload = reload
        self.interval = interval
        self.logger = logger
        self.onHangup = onHangup
        self.watched = watched
    }

    /// Reads and validates an auth file.
    public static func load(_ path: String) throws(AuthFileError) -> AuthConfiguration {
        guard let bytes = readFile(path) else {
            throw AuthFileError(path: "", message: "cannot read \(path)")
        }
        return try AuthConfiguration.parse(bytes)
    }

    public func run() async throws {
        var seen = path.map(FileStamp.init)
        var generation = reload.generation
        var watchedSeen = watched.map { FileStamp($0.path) }
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let hangups = reload.generation
            for (index, file) in watched.enumerated() {
                let stamp = FileStamp(file.path)
                guard hangups != generation || stamp != watchedSeen[index] else { continue }
                watchedSeen[index] = stamp
                file.reload()
            }
            let stamp = path.map(FileStamp.init)
            guard hangups != generation || stamp != seen else { continue }
            if hangups != generation { onHangup() }
            generation = hangups
            seen = stamp
            guard let path, let store else { continue }
            do {
                let configuration = try Self.load(path)
                store.replace(with: configuration)
                logger.info(
                    "auth.reloaded",
                    metadata: [
                        "auth.file": "\(path)", "auth.identities": "\(configuration.identities.count)",
                        "auth.keys": "\(configuration.keys.count)",
                    ])
            } catch {
                logger.error(
                    "auth.reload_failed: previous configuration kept",
                    metadata: ["auth.file": "\(path)", "auth.error": "\(error.description)"])
            }
        }
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
            if result.count > 64 * 1024 * 1024 { return nil }
        }
    }
}

/// What tells a changed file apart: inode (an atomic rename), size and modification time.
struct FileStamp: Equatable {
    var inode: UInt64 = 0
    var size: Int64 = -1
    var seconds: Int = 0
    var nanoseconds: Int = 0

    init(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if os(Linux)
        seconds = Int(info.st_mtim.tv_sec)
        nanoseconds = Int(info.st_mtim.tv_nsec)
        #else
        seconds = Int(info.st_mtimespec.tv_sec)
        nanoseconds = Int(info.st_mtimespec.tv_nsec)
        #endif
    }
}

/// A plain name: swift-service-lifecycle names each service with `"\(service)"`, which for a
/// type without a description walks it by reflection (a measurable part of the start-up).
extension AuthFileReloader: CustomStringConvertible {
    public var description: String { "AuthFileReloader" }
}
