import Dispatch
import KVServer

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Written only before the handler is installed; read by the signal handler.
nonisolated(unsafe) private var hangupPipeWriteEnd: Int32 = -1

/// SIGHUP -> `ReloadTrigger.fire()`: the auth file and TLS certificate are reloaded and the
/// audit log reopened. Same pipe technique as `ShutdownSignals`, for the same reason.
enum HangupSignal {
    /// Installs the handler; keep the returned source alive for as long as it should work.
    static func install(_ trigger: ReloadTrigger) -> (any DispatchSourceRead)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        hangupPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .global())
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 16)
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count > 0 { trigger.fire() }
        }
        source.resume()
        _ = signal(SIGHUP) { _ in
            var byte: UInt8 = 1
            _ = write(hangupPipeWriteEnd, &byte, 1)
        }
        return source
    }
}
