// swift-tools-version:6.0
// KilnData on its own: the Dataset protocol, in-memory TensorDataset, IDX files (raw or
// gzip through zlib, system library CZlib), the MNIST-style directory loader, seeded
// splits, per-epoch mini-batches, standardization and one-hot labels.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Data",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnData", targets: ["KilnData"]),
    ],
    dependencies: [
        .package(path: "../Files"),
        .package(path: "../Tensor"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev", "pkg-config"]), .brew(["zlib"])]),
        .target(
            name: "KilnData",
            dependencies: [
                "CZlib",
                .product(name: "KilnFiles", package: "Files"),
                .product(name: "KilnTensor", package: "Tensor"),
            ]),
        .testTarget(
            name: "KilnDataTests",
            dependencies: [
                "KilnData",
                "CZlib",
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "_KilnTestSupport", package: "Tensor"),
            ]),
    ]
)
