public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts SIGHUPs; services that reopen or reload on a hang-up compare generations.
public final class ReloadTrigger: Sendable {
    private let counter = Atomic<Int>(0)

    public init() {}

    public var generation: Int { counter.load(ordering: .acquiring) }

    public func fire() {
        counter.add(1, ordering: .releasing)
    }
}

/// A record of a JSON-lines log (the audit log, the access log).
public protocol JSONLineRecord: Sendable {
    /// The record as one line of JSON, with its newline.
    func jsonLine() -> [UInt8]
    /// The log's name in the server's own log messages (`audit.reopened`) and errors.
    static var logName: String { get }
    static var logDescription: String { get }
}

/// A JSON-lines log's queue: requests `record` events without waiting; a `JSONLineWriter`
/// service writes them, off the request path. Bounded: when the writer falls behind by
/// `capacity` records, new ones are dropped and counted, never blocking a request.
public final class JSONLineLog<Record: JSONLineRecord>: Sendable {
    let stream: AsyncStream<Record>
    private let continuation: AsyncStream<Record>.Continuation
    private let droppedCount = Atomic<Int>(0)

    public init(capacity: Int = 65_536) {
        let pair = AsyncStream.makeStream(of: Record.self, bufferingPolicy: .bufferingOldest(capacity))
        stream = pair.stream
        continuation = pair.continuation
    }

    public func record(_ event: Record) {
        if case .dropped = continuation.yield(event) {
            droppedCount.add(1, ordering: .relaxed)
        }
    }

    /// Records dropped so far because the queue was full.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    func finish() {
        continuation.finish()
    }
}

/// Writes a JSON-lines log's records, one line each, to a file (appending) or to standard
/// output (`-`); reopens the file after a SIGHUP (for log rotation) and reports dropped
/// records in the server log.
public struct JSONLineWriter<Record: JSONLineRecord>: Service {
    let log: JSONLineLog<Record>
    let path: String
    let reload: ReloadTrigger
    let logger: Logger

    public init(log: JSONLineLog<Record>, path: String, reload: ReloadTrigger, logger: Logger) {
        self.log = log
        self.path = path
        self.reload = reload
        self.logger = logger
    }

    /// Opens the destination; throws a readable message if it cannot.
    public static func open(_ path: String) throws(AuditLogError) -> Int32 {
        if path == "-" { return STDOUT_FILENO }
        let fd = openFile(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditLogError(message: "cannot open \(Record.logDescription) \(path): errno \(errno)") }
        return fd
    }

    /// Fails when the destination cannot be opened for appending (checked at start-up).
    public static func checkWritable(_ path: String) throws(AuditLogError) {
        let fd = try open(path)
        if fd != STDOUT_FILENO { close(fd) }
    }

    public func run() async throws {
        var fd = try Self.open(path)
        var generation = reload.generation
        var reportedDrops = 0
        let log = self.log
        await withGracefulShutdownHandler {
            for await event in log.stream {
                let current = reload.generation
                if current != generation, path != "-" {
                    generation = current
                    if let reopened = try? Self.open(path) {
                        close(fd)
                        fd = reopened
                        logger.info("\(Record.logName).reopened", metadata: ["\(Record.logName).path": "\(path)"])
                    } else {
                        logger.error("\(Record.logName).reopen_failed", metadata: ["\(Record.logName).path": "\(path)"])
                    }
                }
                Self.writeAll(fd, event.jsonLine())
                let dropped = log.dropped
                if dropped > reportedDrops {
                    logger.warning(
                        "\(Record.logName).dropped",
                        metadata: [
                            "\(Record.logName).dropped_total": "\(dropped)",
                            "\(Record.logName).dropped_new": "\(dropped - reportedDrops)",
                        ])
                    reportedDrops = dropped
                }
            }
        } onGracefulShutdown: {
            log.finish()
        }
        if log.dropped > reportedDrops {
            logger.warning("\(Record.logName).dropped", metadata: ["\(Record.logName).dropped_total": "\(log.dropped)"])
        }
        if fd != STDOUT_FILENO { close(fd) }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

public struct AuditLogError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// `open(2)`, named apart from `AuditLogWriter.open`.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    open(path, flags, mode)
}

/// A plain name: swift-service-lifecycle names each service with `"\(service)"`, which for a
/// type without a description walks it by reflection.
extension JSONLineWriter: CustomStringConvertible {
    public var description: String { "JSONLineWriter(\(Record.logName))" }
}
