// swift-tools-version: 6.1
// Builds the protoc plugins used by `make proto` (kept apart so a normal build never needs them).
import PackageDescription

let package = Package(
    name: "ProtoPlugins",
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
    ],
    targets: [
        // An empty target: SwiftPM needs one; the plugins are built as the dependencies' products.
        .target(name: "ProtoPlugins", path: "Sources"),
    ]
)
