// swift-tools-version:6.0
// KilnEnsemble on its own: bagging (bootstrap members trained in parallel), soft and hard
// voting, out-of-bag scores, ensembles saved as directories. Keep in step with the root
// manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Ensemble",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnEnsemble", targets: ["KilnEnsemble"]),
    ],
    dependencies: [
        .package(path: "../Files"),
        .package(path: "../Tensor"),
        .package(path: "../Data"),
        .package(path: "../Distributed"),
        .package(path: "../Layers"),
        .package(path: "../Optimizers"),
        .package(path: "../Regularizers"),
        .package(path: "../Training"),
    ],
    targets: [
        .target(
            name: "KilnEnsemble",
            dependencies: [
                .product(name: "KilnFiles", package: "Files"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnData", package: "Data"),
                .product(name: "KilnDistributed", package: "Distributed"),
                .product(name: "KilnLayers", package: "Layers"),
                .product(name: "KilnOptimizers", package: "Optimizers"),
                .product(name: "KilnRegularizers", package: "Regularizers"),
                .product(name: "KilnTraining", package: "Training"),
            ]),
        .testTarget(
            name: "KilnEnsembleTests",
            dependencies: [
                "KilnEnsemble",
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnData", package: "Data"),
                .product(name: "KilnDistributed", package: "Distributed"),
                .product(name: "KilnLayers", package: "Layers"),
                .product(name: "KilnOptimizers", package: "Optimizers"),
                .product(name: "KilnTraining", package: "Training"),
            ]),
    ]
)
