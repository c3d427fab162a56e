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
        guard let (writeEnd, source) = SignalPipe.open({ trigger.fire() }) else { return nil }
        hangupPipeWriteEnd = writeEnd
        _ = signal(SIGHUP) { _ in
            var byte: UInt8 = 1
            _ = write(hangupPipeWriteEnd, &byte, 1)
        }
        return source
    }
}
