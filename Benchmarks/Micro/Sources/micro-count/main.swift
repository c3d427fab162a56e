import MicroWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Runs one workload a given number of times and exits, for counting instructions with
// callgrind where the machine has no hardware counters:
//
//     micro-count --list                     (one "cpu|engine<TAB>name" a line)
//     micro-count "<workload name>" <count>
//     valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measuredOperations*' \
//         micro-count "<workload name>" <count>
//
// Setup and one warm-up operation (lazy statics, caches) run outside `measuredOperations`,
// so what callgrind collects inside it is the cost of exactly `count` operations.

func fail(_ message: String) -> Never {
    let line = Array("micro-count: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

let arguments = CommandLine.arguments.dropFirst()
if arguments.first == "--list" {
    for workload in Workloads.all {
        switch workload.body {
        case .cpu: print("cpu\t\(workload.name)")
        case .engine: print("engine\t\(workload.name)")
        }
    }
    exit(0)
}
guard arguments.count == 2, let name = arguments.first, let count = arguments.last.flatMap({ Int($0) }), count >= 0 else {
    fail("usage: micro-count --list | micro-count <workload> <count>")
}
guard let workload = Workloads.named(name) else { fail("no workload named '\(name)' (see --list)") }

/// The measured region; its name is what callgrind's `--toggle-collect` matches.
@inline(never)
func measuredOperations(_ run: (Int) throws -> Void, count: Int) throws {
    try run(count)
}

/// The measured region of an engine workload. Only this thread's instructions are collected:
/// the engine's writer thread does its share elsewhere.
@inline(never)
func measuredOperations(_ call: () async throws -> Void, count: Int) async throws {
    for _ in 0..<count { try await call() }
}

do {
    try await workload.setup?()
    switch workload.body {
    case .cpu(let run):
        try run(1)
        try measuredOperations(run, count: count)
    case .engine(let call):
        try await call()
        try await measuredOperations(call, count: count)
    }
    workload.teardown?()
} catch {
    fail("\(name): \(error)")
}
