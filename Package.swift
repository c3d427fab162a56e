// swift-tools-version:6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Release builds put each function of the server's own modules in a section of its own, so
/// that the link can place the ones a start runs together (Scripts/link/kvserver.order). The
/// packages' modules get the same from the release build command's
/// `-Xswiftc -Xfrontend -Xswiftc -function-sections` (README "Memory and start-up"); without it
/// only their public functions are ordered.
let ownSections: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-function-sections"], .when(configuration: .release)),
]

/// Release builds of the server's own modules skip the run-time exclusivity checks (a
/// `swift_beginAccess` on every class-property and global access: about 2% of a GetItem's CPU
/// in perf). Debug builds, which every test runs, keep them.
let hotPath: [SwiftSetting] = upcoming + ownSections + [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

/// Release builds of the server's own modules reach the metadata of a concrete generic type
/// (`[Key: Value]`, `TransferStore<ExportRecord>`, `NIOLoopBound<T>`...) through its metadata
/// accessor rather than from its mangled name: the runtime demangles such a name at its first
/// use and checks the type's generic requirements by conformance lookups, each first one a walk
/// over every conformance record of the executable (about 300,000 instructions; README, "Where
/// the time to the first answer goes").
let metadataAccessors: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
]

let package = Package(
    name: "kvstore",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kvserver", targets: ["kvserver"]),
        .executable(name: "kvserver-postgres", targets: ["kvserver-postgres"]),
        .executable(name: "kvctl", targets: ["kvctl"]),
        .executable(name: "kvnullserver", targets: ["kvnullserver"]),
        .library(name: "KVStore", targets: ["KVStore"]),
        .library(name: "KVServer", targets: ["KVServer"]),
        .library(name: "KVFuzzTargets", targets: ["KVFuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        // GET /metrics (Sources/KVServer/Observability): the metrics API and its Prometheus
        // backend, which needs neither Foundation nor anything beyond swift-atomics.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // The PostgreSQL storage adapter (Sources/KVStorePostgres, issue #18 part 2): a separate
        // target, so that nothing SQLite-only links it.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // zlib: gzip/deflate request and response bodies (Sources/KVServer/HTTP/Compression) and the
        // gzip files of table exports and imports (the system library, as SQLite).
        // libyaml, for the server's YAML triggers file (Yams would link Foundation into kvserver).
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // zstd: ImportTable's InputCompressionType ZSTD (reading only; exports are gzip, as DynamoDB's).
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(
            name: "KVStore",
            dependencies: [
                "CSQLite",
                "CZlib",
                "CZstd",
                .product(name: "Logging", package: "swift-log"),
                // MD5 of export files (the manifests' `md5`/`etag` and `.checksum` files).
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotPath + metadataAccessors
        ),
        // The PostgreSQL storage adapter's building blocks (docs/postgres-backend.md): settings,
        // pool, schema migrations, leases, conflict mapping and conditional writes. Reads KVStore's
        // key types only.
        .target(
            name: "KVStorePostgres",
            dependencies: [
                "KVStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The blocking transaction runner's own threads (NIOThreadPool) and locks.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: upcoming
        ),
        // CRC-32 by carry-less multiplication (x-amz-crc32 of large responses).
        .target(name: "CCRC32"),
        // SHA-256 as a stack value, by the SHA extensions where present (signature verification).
        .target(name: "CSHA256"),
        .target(
            name: "KVServer",
            dependencies: [
                "KVStore",
                "CCRC32",
                "CSHA256",
                "CZlib",
                "CYAML",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The console's HTML/CSS/JS sources: compiled in as ConsoleAssetFiles.swift by
            // Scripts/console-assets.py, not as resources (which would need Foundation's Bundle).
            exclude: ["Console/Web"],
            swiftSettings: hotPath + metadataAccessors
        ),
        // kvserver's command (options, start-up, services) as a library, for the two executables
        // below: `kvserver` (SQLite) and `kvserver-postgres`, which adds `--storage postgres://`.
        // PostgresNIO imports full Foundation (with ICU's data): linked into kvserver it cost every
        // SQLite user 48 MB of binary, a quarter more start-up instructions and 4.4 MB of idle
        // memory (docs/postgres-backend.md), so only kvserver-postgres links it.
        .target(
            name: "KVServerMain",
            dependencies: [
                "KVServer",
                "KVStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcoming + metadataAccessors + ownSections
        ),
        // Releases the executable's relocation table once the dynamic linker has applied it
        // (kvserver's start; README "Memory and start-up").
        .target(name: "CLoadTimePages"),
        .executableTarget(
            name: "kvserver",
            dependencies: ["KVServerMain", "CLoadTimePages"],
            swiftSettings: upcoming,
            // The release server links the Swift runtime and standard library statically: it starts
            // faster (fewer shared objects to map and relocate) and maps less memory
            // (Scripts/bench/run.py: cold start 12 -> 8-9 ms, idle RSS 22 -> 19.5 MB). The two
            // `_Foundation*` libraries are what the static FoundationEssentials needs besides it.
            // `--no-export-dynamic` undoes the `-export-dynamic` of the static stdlib's link
            // arguments: nothing looks our symbols up by name, and the 28,000 exported ones were
            // 1.3 MB of symbol tables the dynamic linker reads at every start. The executable
            // stays position-independent (`-no-pie` would save 740 KB and its 76,000 relocations
            // at start, but give up the address randomisation of a network server's code).
            // gold places the functions a start and the common requests run together in `.text`,
            // in the order of Scripts/link/kvserver.order (Scripts/bench/link_order.py writes it
            // from callgrind runs; each function has a section of its own with the release build
            // command's -function-sections): they fill 1.4 MB, where left in place they kept most
            // of the 18 MB resident (the kernel maps 64 KB or more around each page fault; idle
            // RSS 21.7 -> 16 MB). A stale name only costs memory: gold skips names it does not
            // find and places every section it is not told about as before. (lld would pull
            // libFoundation.a's FileManager and ICU into the link: it resolves archive members
            // regardless of their order.) `--no-mmap-output-file`: gold writes the executable with
            // write() instead of through a shared mapping, which left it in the page cache in folios
            // the kernel maps whole at each fault (idle RSS right after a build 13.0-13.4 MB instead
            // of the 12.0-12.2 MB of a start from a cold cache; the bytes written are the same).
            // The `-L` folder holds a linker script named `libstdc++.so` that names `libstdc++.a`:
            // both `-lstdc++` of the link (the static stdlib's and SwiftPM's) take the static
            // archive, instead of mapping the shared library (idle RSS -0.8 MB, 2 M fewer
            // instructions to the first answer). README "Memory and start-up".
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims",
                        "-Xlinker", "--no-export-dynamic",
                        "-Xlinker", "--section-ordering-file=\(Context.packageDirectory)/Scripts/link/kvserver.order",
                        "-Xlinker", "--no-mmap-output-file",
                        "-L\(Context.packageDirectory)/Scripts/link/static-libstdc++",
                    ],
                    .when(configuration: .release)),
            ]
        ),
        .executableTarget(
            name: "kvserver-postgres",
            dependencies: ["KVServerMain", "KVStorePostgres", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcoming,
            // kvserver's link, plus CoreFoundation and ICU for PostgresNIO's Foundation.
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims",
                        "-lCoreFoundation", "-l_FoundationICU", "-Xlinker", "--no-export-dynamic",
                    ],
                    .when(configuration: .release)),
            ]
        ),
        .target(
            name: "KVCtlCore",
            dependencies: [
                "KVServer",
                "KVStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: upcoming
        ),
        // The fuzz targets' bodies (see Fuzz/ and Scripts/fuzz.sh), here so that the regression
        // corpus runs as ordinary tests.
        .target(
            name: "KVFuzzTargets",
            dependencies: [
                "KVServer", "KVStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "kvctl",
            dependencies: ["KVCtlCore"],
            swiftSettings: upcoming
        ),
        .executableTarget(
            name: "kvnullserver",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/kvnullserver",
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "KVStoreTests",
            dependencies: ["KVStore"],
            swiftSettings: upcoming
        ),
        // Against a real PostgreSQL: Scripts/postgres.sh starts a throwaway cluster (or
        // KVSTORE_TEST_POSTGRES_URL names one); a test fails, never skips, when none can start.
        .testTarget(
            name: "KVStorePostgresTests",
            dependencies: [
                "KVStorePostgres", "KVStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "KVCtlTests",
            dependencies: [
                "KVCtlCore", "KVServer", "KVStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Golden"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "KVServerTests",
            dependencies: [
                "KVServer", "KVStore", "KVFuzzTargets",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: upcoming
        ),
    ],
    swiftLanguageModes: [.v6]
)
