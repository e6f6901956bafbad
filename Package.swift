// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Accord",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "AccordCore", targets: ["AccordCore"]),
        .library(name: "AccordStore", targets: ["AccordStore"]),
        .executable(name: "accord", targets: ["accord"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Domain types, the event envelope, the projection and the clinical content. No I/O.
        .target(
            name: "AccordCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The numbered SQL migrations and event JSON Schemas, shipped as resources and read by the code.
        .target(
            name: "AccordSchema",
            path: "schema",
            sources: ["swift"],
            resources: [.copy("sqlite"), .copy("events")]
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
        // The clinician's command line.
        .executableTarget(
            name: "accord",
            dependencies: [
                "AccordCore", "AccordStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Appends events and reports each acknowledgement; the crash test kills it at random points.
        .executableTarget(
            name: "accord-crash-writer",
            dependencies: ["AccordCore", "AccordStore"],
            path: "Tests/Tools/accord-crash-writer"
        ),
        // Prints the performance figures the issues ask for: `swift run -c release accord-bench`.
        .executableTarget(
            name: "accord-bench",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSchema",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/accord-bench"
        ),
        .testTarget(
            name: "AccordTests",
            dependencies: [
                "AccordCore", "AccordStore", "AccordSchema", "accord", "accord-crash-writer",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
