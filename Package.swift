// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Accord",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "AccordCore", targets: ["AccordCore"]),
        .library(name: "AccordStore", targets: ["AccordStore"]),
        .library(name: "AccordSync", targets: ["AccordSync"]),
        .library(name: "AccordExport", targets: ["AccordExport"]),
        .library(name: "AccordLog", targets: ["AccordLog"]),
        .library(name: "AccordSyncClient", targets: ["AccordSyncClient"]),
        // The app's one import: the clinic's operations, the store, sync and export.
        .library(name: "AccordKit", targets: ["AccordKit"]),
        .executable(name: "accord-server", targets: ["accord-server"]),
        .executable(name: "accord", targets: ["accord"]),
        .executable(name: "accord-app-example", targets: ["accord-app-example"]),
        .executable(name: "accord-audit", targets: ["accord-audit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // `swift package generate-documentation --target AccordKit` builds the DocC catalog.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Domain types, the event envelope, the projection and the clinical content. No I/O.
        .target(
            name: "AccordCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            // The medication vocabulary (ingredients, MME factors, brands, strengths) is data, read at first use.
            resources: [.copy("Resources/medications.json")]
        ),
        // The numbered SQL migrations and event JSON Schemas, shipped as resources and read by the code.
        .target(
            name: "AccordSchema",
            dependencies: ["AccordCore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "schema",
            exclude: ["openapi.yaml"],
            sources: ["swift"],
            resources: [.copy("sqlite"), .copy("server-sqlite"), .copy("postgres"), .copy("events")]
        ),
        // The local event store on SQLite.
        .target(
            name: "AccordStore",
            dependencies: [
                "AccordCore", "AccordSchema",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // FHIR R4 export and the patient's own copy, built from the projection. No I/O.
        .target(
            name: "AccordExport",
            dependencies: ["AccordCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The tamper-evident audit log's hashing, proofs and signed checkpoints (RFC 6962/9162). No I/O.
        .target(name: "AccordLog", dependencies: ["AccordCore", .product(name: "Crypto", package: "swift-crypto")]),
        // The sync protocol's wire types, shared by client and server. No I/O.
        .target(name: "AccordSync", dependencies: ["AccordCore", "AccordLog", "CZlib"]),
        // The system zlib, for gzip push bodies.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The site's side of sync: outbox push and cursor pull over HTTP (URLSession).
        .target(name: "AccordSyncClient", dependencies: ["AccordCore", "AccordStore", "AccordSync", "AccordLog"]),
        // The app core: every clinician operation with its rules and the parents of every event, over the store.
        .target(name: "AccordKit", dependencies: ["AccordCore", "AccordStore", "AccordSyncClient", "AccordExport"]),
        // The companion sync server: storage, routes and credentials.
        .target(
            name: "AccordServer",
            dependencies: [
                "AccordCore", "AccordSync", "AccordSchema", "AccordExport", "AccordLog",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "sync-server/Sources/AccordServer"
        ),
        .executableTarget(
            name: "accord-server",
            dependencies: ["AccordServer", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "sync-server/Sources/accord-server"
        ),
        // The clinician's command line.
        .executableTarget(
            name: "accord",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSyncClient", "AccordExport", "AccordKit", "AccordLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The auditor's offline check of an exported log: the log's formats alone, no server code.
        .executableTarget(
            name: "accord-audit",
            dependencies: ["AccordLog", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // A headless stand-in for an app: imports AccordKit only (README, "Use it from an app").
        .executableTarget(name: "accord-app-example", dependencies: ["AccordKit"], path: "Examples/AppExample"),
        // Appends events and reports each acknowledgement; the crash test kills it at random points.
        .executableTarget(
            name: "accord-crash-writer",
            dependencies: ["AccordCore", "AccordStore"],
            path: "Tests/Tools/accord-crash-writer"
        ),
        // Prints the store figures: `scripts/build-release && .build/release/accord-bench`.
        .executableTarget(
            name: "accord-bench",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSchema", "BenchmarkSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/accord-bench"
        ),
        // What the benchmarks share: the machine's floor, measured in the same run as the figures held against it.
        .target(name: "BenchmarkSupport", dependencies: [.product(name: "GRDB", package: "GRDB.swift")], path: "Benchmarks/BenchmarkSupport"),
        // Prints the sync figures: `scripts/build-release && .build/release/accord-sync-bench`.
        .executableTarget(
            name: "accord-sync-bench",
            dependencies: ["AccordCore", "AccordStore", "AccordSync", "AccordSyncClient", "BenchmarkSupport"],
            path: "Benchmarks/accord-sync-bench"
        ),
        // Prints the audit figures: `scripts/build-release && .build/release/accord-audit-bench`.
        .executableTarget(
            name: "accord-audit-bench",
            dependencies: ["AccordCore", "AccordLog", "AccordServer", "AccordSync", .product(name: "Crypto", package: "swift-crypto")],
            path: "Benchmarks/accord-audit-bench"
        ),
        .testTarget(
            name: "AccordTests",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSchema", "AccordSync", "AccordServer", "AccordExport", "AccordLog", "AccordKit", "accord", "accord-server", "accord-crash-writer", "accord-app-example",
                "BenchmarkSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
