import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only connections owned by whatever thread asks, for point reads that are cheaper to
/// run where the request already is than to hand to a reader thread.
///
/// A GetItem is one B-tree lookup (a few microseconds), while handing it to a reader thread and
/// back costs two thread wake-ups and lock hand-offs, which measured as most of a GetItem's CPU
/// (`Scripts/bench/run.py`). Requests run on the NIO event loop that received them, so each event
/// loop thread ends up with its own connection: no lock, no hop. Only single-statement reads use
/// this path (a statement is its own consistent snapshot); multi-statement reads keep the pool's
/// BEGIN...COMMIT snapshot. A read first tries the writer's connection when the writer is idle
/// (`WriterConnectionLender`): its page cache survives commits, a reader's does not.
final class InlineReaders: Sendable {
    /// Connections of the current thread, by database id; ids are never reused, so an entry of
    /// a closed database never matches a new one.
    private final class ThreadConnections {
        var byDatabase: [Int: Connection] = [:]
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { pointer in
            guard let pointer else { return }
            Unmanaged<AnyObject>.fromOpaque(pointer).release()
        }
        return key
    }()

    private static let nextID = Atomic<Int>(1)

    private let id = InlineReaders.nextID.add(1, ordering: .relaxed).newValue
    private let open: @Sendable () throws -> Connection
    /// Tried first: the writer's connection, whose page cache commits do not reset.
    private let writer: WriterConnectionLender?
    /// Every connection handed out, so that `close()` can close them. Only touched under the lock.
    private let opened = Mutex<[UnsafeSendableConnection]>([])
    private let closed = Atomic<Bool>(false)

    init(writer: WriterConnectionLender? = nil, open: @escaping @Sendable () throws -> Connection) {
        self.writer = writer
        self.open = open
    }

    func read<T>(_ body: (Connection) throws -> T) throws -> T {
        guard !closed.load(ordering: .acquiring) else { throw SQLiteError.closed }
        if let writer, let connection = writer.tryBorrow() {
            defer { writer.giveBack(connection) }
            return try body(connection)
        }
        let connections = Self.threadConnections()
        if let connection = connections.byDatabase[id] {
            return try body(connection)
        }
        let connection = try open()
        opened.withLock { $0.append(UnsafeSendableConnection(connection: connection)) }
        connections.byDatabase[id] = connection
        return try body(connection)
    }

    /// Closes every connection. Called once the server has stopped sending requests.
    func close() {
        closed.store(true, ordering: .releasing)
        let connections = opened.withLock { list in
            defer { list.removeAll() }
            return list
        }
        for entry in connections { entry.connection.close() }
    }

    private static func threadConnections() -> ThreadConnections {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadConnections>.fromOpaque(pointer).takeUnretainedValue()
        }
        let connections = ThreadConnections()
        pthread_setspecific(key, Unmanaged.passRetained(connections as AnyObject).toOpaque())
        return connections
    }
}

/// A connection kept only to be closed at shutdown, after its thread stopped using it.
private struct UnsafeSendableConnection: @unchecked Sendable {
    let connection: Connection
}
