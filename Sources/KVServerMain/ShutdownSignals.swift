import Dispatch
import ServiceLifecycle

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Written only before the handlers are installed; read by the signal handler.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// SIGTERM/SIGINT -> graceful shutdown of a `ServiceGroup`, reliably on Linux.
///
/// A `DispatchSource` signal source on Linux uses `signalfd`, which only sees signals blocked
/// in the thread they are delivered to; with several threads already running, a signal can be
/// taken by a thread that does not block it and is lost (we saw the first SIGTERM ignored).
/// So: a plain process-wide handler writes the signal number to a pipe (async-signal-safe),
/// and a dispatch read source on the other end starts the shutdown. A second signal while
/// shutting down is passed on to the group again (harmless).
enum ShutdownSignals {
    /// Installs the handlers; keep the returned source alive for as long as they should work.
    static func install(_ signals: [Int32], group: ServiceGroup) -> (any DispatchSourceRead)? {
        guard let (writeEnd, source) = SignalPipe.open({ Task { await group.triggerGracefulShutdown() } })
        else { return nil }
        signalPipeWriteEnd = writeEnd
        for number in signals {
            _ = signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
        }
        return source
    }
}
