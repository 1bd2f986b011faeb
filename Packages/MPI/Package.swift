// swift-tools-version:6.0
// KilnMPI on its own: KilnDistributed's Communicator over Open MPI (found through
// pkg-config as `ompi`; scripts/setup.sh installs libopenmpi-dev and openmpi-bin). The only
// Kiln package that links MPI. Keep in step with the root manifest's table.
import PackageDescription

let package = Package(
    name: "MPI",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnMPI", targets: ["KilnMPI"]),
    ],
    dependencies: [
        .package(path: "../Distributed"),
    ],
    targets: [
        .systemLibrary(
            name: "CMPI", pkgConfig: "ompi",
            providers: [.apt(["libopenmpi-dev", "pkg-config"]), .brew(["open-mpi"])]),
        .target(
            name: "KilnMPI",
            dependencies: ["CMPI", .product(name: "KilnDistributed", package: "Distributed")]),
        .testTarget(
            name: "KilnMPITests",
            dependencies: ["KilnMPI", .product(name: "KilnDistributed", package: "Distributed")]),
    ]
)
