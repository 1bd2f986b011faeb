// swift-tools-version:6.0
// KilnDistributed on its own: the Communicator protocol (rank, size, allgather, allreduce,
// broadcast, barrier) and its single-process implementation. No system dependency; the
// Open MPI implementation is Packages/MPI. Keep in step with the root manifest's table.
import PackageDescription

let package = Package(
    name: "Distributed",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnDistributed", targets: ["KilnDistributed"]),
    ],
    targets: [
        .target(name: "KilnDistributed"),
        .testTarget(name: "KilnDistributedTests", dependencies: ["KilnDistributed"]),
    ]
)
