// swift-tools-version:6.1
// Engine micro-benchmarks, kept out of the root package so that neither it nor CI pulls in
// the benchmark framework. Run from the repo root: `bash Scripts/bench/micro.sh`.
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "kvstore-micro",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "kvstore", path: "../.."),
        // The trait list replaces the defaults: MallocInterposer counts mallocs without
        // jemalloc; the default RuntimeInterposer trait would need a package we do not use.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // The measured operations, shared by the two executables below.
        .target(
            name: "MicroWorkloads",
            dependencies: [
                .product(name: "KVStore", package: "kvstore"),
                .product(name: "KVServer", package: "kvstore"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        // The plugin finds benchmark targets by their folder: Benchmarks/<Name>.
        .executableTarget(
            name: "EngineMicro",
            dependencies: [
                "MicroWorkloads",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EngineMicro",
            swiftSettings: upcoming,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Runs one workload N times without the benchmark framework (whose malloc interposer
        // valgrind cannot run under), for instruction counts with callgrind.
        .executableTarget(
            name: "micro-count",
            dependencies: ["MicroWorkloads"],
            swiftSettings: upcoming
        ),
    ],
    swiftLanguageModes: [.v6]
)
