#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// How many event loop threads to run: one per CPU this process may run on.
///
/// NIO's `System.coreCount` honours cgroup CPU quotas but not the CPU affinity mask, so a
/// server started under `taskset -c 0` (or in a cpuset) would run one loop per machine core,
/// and the extra loops would only take turns on the same CPU, paying context switches.
enum EventLoopCount {
    static func forThisProcess() -> Int {
        let cores = System.coreCount
        guard let allowed = allowedCPUs() else { return max(1, cores) }
        return max(1, min(cores, allowed))
    }

    /// The number of CPUs in this process's affinity mask (Linux: `Cpus_allowed_list` of
    /// /proc/self/status, e.g. `0-3,6`), or nil where that cannot be read.
    static func allowedCPUs() -> Int? {
        #if os(Linux)
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            let prefix = "Cpus_allowed_list:"
            if text.hasPrefix(prefix) {
                return count(cpuList: String(text.dropFirst(prefix.count)))
            }
        }
        return nil
        #else
        return nil
        #endif
    }

    /// Counts the CPUs of a kernel CPU list such as `0-3,6`; nil if it does not parse.
    static func count(cpuList: String) -> Int? {
        var total = 0
        for part in cpuList.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.filter { !$0.isWhitespace }) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                total += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], high >= low else { return nil }
                total += high - low + 1
            default:
                return nil
            }
        }
        return total > 0 ? total : nil
    }
}
