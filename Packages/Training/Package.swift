// swift-tools-version:6.0
// KilnTraining on its own: the Trainer, callbacks, metrics, safetensors checkpoints and
// the bias/variance diagnosis. Keep in step with the root manifest's module table.
import PackageDescription

let package = Package(
    name: "Training",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnTraining", targets: ["KilnTraining"]),
    ],
    dependencies: [
        .package(path: "../Files"),
        .package(path: "../Registry"),
        .package(path: "../Tensor"),
        .package(path: "../Data"),
        .package(path: "../Distributed"),
        .package(path: "../Layers"),
        .package(path: "../Optimizers"),
        .package(path: "../Regularizers"),
    ],
    targets: [
        .target(
            name: "KilnTraining",
            dependencies: [
                .product(name: "KilnFiles", package: "Files"),
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnData", package: "Data"),
                .product(name: "KilnDistributed", package: "Distributed"),
                .product(name: "KilnLayers", package: "Layers"),
                .product(name: "KilnOptimizers", package: "Optimizers"),
                .product(name: "KilnRegularizers", package: "Regularizers"),
            ]),
        .testTarget(
            name: "KilnTrainingTests",
            dependencies: [
                "KilnTraining",
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnData", package: "Data"),
                .product(name: "KilnDistributed", package: "Distributed"),
                .product(name: "KilnLayers", package: "Layers"),
                .product(name: "KilnOptimizers", package: "Optimizers"),
                .product(name: "KilnRegularizers", package: "Regularizers"),
                .product(name: "_KilnTestSupport", package: "Tensor"),
            ]),
    ]
)
