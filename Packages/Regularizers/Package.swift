// swift-tools-version:6.0
// KilnRegularizers on its own: the Regularizer protocol (L1, L2, elastic net), its conformance
// check, and EarlyStopping; registered by name.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Regularizers",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnRegularizers", targets: ["KilnRegularizers"]),
    ],
    dependencies: [
        .package(path: "../Registry"),
        .package(path: "../Tensor"),
    ],
    targets: [
        .target(
            name: "KilnRegularizers",
            dependencies: [
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
            ]),
        .testTarget(
            name: "KilnRegularizersTests",
            dependencies: [
                "KilnRegularizers",
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "_KilnTestSupport", package: "Tensor"),
            ]),
    ]
)
