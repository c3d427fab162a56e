// swift-tools-version:6.1
// Coverage-guided fuzz targets (libFuzzer), kept out of the root package: they are built with
// `-sanitize=fuzzer -parse-as-library`, which the normal build must not get. The bodies live
// in the root package's KVFuzzTargets, where the regression corpus also runs as ordinary tests.
// Run from the repo root: `bash Scripts/fuzz.sh TARGET SECONDS`.
import PackageDescription

let targetDependencies: [Target.Dependency] = ["CFuzzDriver", .product(name: "KVFuzzTargets", package: "kvstore")]

let package = Package(
    name: "kvstore-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "kvstore", path: ".."),
    ],
    targets: [
        .target(name: "CFuzzDriver"),
        .executableTarget(name: "FuzzJSON", dependencies: targetDependencies),
        .executableTarget(name: "FuzzRequests", dependencies: targetDependencies),
        .executableTarget(name: "FuzzExpressions", dependencies: targetDependencies),
        .executableTarget(name: "FuzzItemCodec", dependencies: targetDependencies),
    ],
    swiftLanguageModes: [.v6]
)
