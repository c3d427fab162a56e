import Benchmark
import MicroWorkloads

// Engine-level costs without HTTP: what one request spends in JSON, expressions, keys, the
// storage codec and the engine itself. `bash Scripts/bench/micro.sh` runs them.

/// Metrics every benchmark reports. `instructions` needs hardware counters (perf_event_open);
/// where the machine has none the plugin leaves it out and micro.sh counts with callgrind.
var reported: [BenchmarkMetric] { [.wallClock, .instructions, .mallocCountTotal] }

/// Pure CPU work of a microsecond or less: each sample runs 1,000 operations, so that the
/// clock and counter reads around a sample do not dominate; results are per operation.
var cpuConfiguration: Benchmark.Configuration {
    Benchmark.Configuration(metrics: reported, scalingFactor: .kilo, maxDuration: .seconds(2), maxIterations: 100_000)
}

/// Engine calls cross to the writer thread and back: one operation per sample.
func engineConfiguration(_ workload: Workload) -> Benchmark.Configuration {
    Benchmark.Configuration(
        metrics: reported, scalingFactor: .one, maxDuration: .seconds(2), maxIterations: 100_000,
        setup: workload.setup, teardown: workload.teardown.map { stop in { stop() } })
}

let benchmarks: @Sendable () -> Void = {
    for workload in Workloads.all {
        switch workload.body {
        case .cpu(let run):
            Benchmark(workload.name, configuration: cpuConfiguration) { benchmark in
                try run(benchmark.scaledIterations.count)
            }
        case .engine(let call):
            Benchmark(workload.name, configuration: engineConfiguration(workload)) { _ in
                try await call()
            }
        }
    }
}
