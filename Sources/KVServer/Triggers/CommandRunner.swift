import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a local command (a trigger target from the triggers file) with a batch on stdin:
/// exit status 0 is success. The blocking parts (writing stdin, waiting) run on a Dispatch
/// thread, never on the cooperative pool or an event loop.
enum CommandRunner {
    static func run(_ command: [String], input: [UInt8]) async -> InvocationOutcomeText {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: runBlocking(command, input: input))
            }
        }
    }

    /// nil on success, else why it failed.
    typealias InvocationOutcomeText = String?

    static func runBlocking(_ command: [String], input: [UInt8]) -> String? {
        guard let program = command.first, !program.isEmpty else { return "empty command" }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return "pipe failed" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addclose(&actions, fds[0])
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, program, &actions, nil, &argv, environ)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return "could not start the command (error \(spawned))"
        }
        // A command that does not read its input must not make us die of SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        var offset = 0
        input.withUnsafeBytes { bytes in
            while offset < bytes.count {
                guard let base = bytes.baseAddress else { break }
                let written = write(fds[1], base + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        if exited && code == 0 { return nil }
        return exited ? "the command exited with status \(code)" : "the command was killed by signal \(status & 0x7f)"
    }
}
