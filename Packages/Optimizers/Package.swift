// swift-tools-version:6.0
// KilnOptimizers on its own: the Optimizer protocol and the built-in update rules (SGD to
// NAdam), learning-rate schedules, gradient clipping, an exponential moving average and
// 2-D test functions; registered by name. Depends only on KilnRegistry and KilnTensor.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Optimizers",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnOptimizers", targets: ["KilnOptimizers"]),
    ],
    dependencies: [
        .package(path: "../Registry"),
        .package(path: "../Tensor"),
    ],
    targets: [
        .target(
            name: "KilnOptimizers",
            dependencies: [
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
            ]),
        .testTarget(
            name: "KilnOptimizersTests",
            dependencies: [
                "KilnOptimizers",
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "_KilnTestSupport", package: "Tensor"),
            ]),
    ]
)
