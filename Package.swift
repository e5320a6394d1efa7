// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "raftkv",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RaftEngine", targets: ["RaftEngine"]),
        .library(name: "RaftStorage", targets: ["RaftStorage"]),
        .library(name: "RaftSimulation", targets: ["RaftSimulation"]),
        .library(name: "KVStore", targets: ["KVStore"]),
        .executable(name: "raftd", targets: ["raftd"]),
        .executable(name: "raftctl", targets: ["raftctl"]),
        .executable(name: "raft-tui", targets: ["RaftTUI"]),
        .executable(name: "raft-sim", targets: ["raft-sim"]),
        .executable(name: "engine-bench", targets: ["EngineThroughput"]),
        .executable(name: "storage-bench", targets: ["StorageThroughput"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        // The Raft algorithm as a pure, deterministic state machine: no I/O, clocks or threads.
        .target(
            name: "RaftEngine",
            dependencies: [.product(name: "DequeModule", package: "swift-collections")]
        ),
        // Durable state around the engine: write-ahead log, hard state, snapshots, recovery.
        .target(name: "RaftStorage", dependencies: ["RaftEngine"]),
        // The replicated key-value state machine: applies committed entries, client sessions, snapshots.
        .target(name: "KVStore", dependencies: ["RaftEngine"]),
        // Runs many engines in one process with virtual time, faults and safety checks.
        .target(name: "RaftSimulation", dependencies: ["RaftEngine", "RaftStorage"]),
        .executableTarget(
            name: "raft-sim",
            dependencies: [
                "RaftSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "EngineThroughput",
            dependencies: [
                "RaftEngine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            path: "Benchmarks/EngineThroughput"
        ),
        .executableTarget(
            name: "StorageThroughput",
            dependencies: [
                "RaftStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/StorageThroughput"
        ),
        .executableTarget(
            name: "raftd",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "raftctl",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "RaftTUI"),
        .testTarget(name: "RaftEngineTests", dependencies: ["RaftEngine"]),
        .testTarget(name: "RaftSimulationTests", dependencies: ["RaftSimulation", "RaftEngine"]),
        .testTarget(name: "RaftStorageTests", dependencies: ["RaftStorage", "RaftEngine"]),
        .testTarget(name: "KVStoreTests", dependencies: ["KVStore", "RaftEngine"]),
    ],
    swiftLanguageModes: [.v6]
)
