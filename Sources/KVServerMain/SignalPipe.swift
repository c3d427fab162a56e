import Dispatch

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The pipe a signal handler writes to (async-signal-safe) and the dispatch read source that
/// turns its bytes into `onSignal` calls off the handler (see `ShutdownSignals` for why a
/// `DispatchSource` signal source is not used). Each handler keeps the write end in a global
/// of its own, since a C signal handler captures nothing.
enum SignalPipe {
    /// Opens the pipe (both ends non-blocking) and starts its read source; nil if no pipe.
    static func open(_ onSignal: @escaping @Sendable () -> Void) -> (writeEnd: Int32, source: any DispatchSourceRead)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let readEnd = fds[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 16)
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count > 0 { onSignal() }
        }
        source.resume()
        return (fds[1], source)
    }
}
