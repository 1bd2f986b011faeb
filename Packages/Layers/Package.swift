// swift-tools-version:6.0
// KilnLayers on its own: the Layer protocol, dense/conv/pool/activation/dropout/norm layers,
// Sequential models from spec strings, the losses and the gradient checker.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Layers",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnLayers", targets: ["KilnLayers"]),
    ],
    dependencies: [
        .package(path: "../Registry"),
        .package(path: "../Tensor"),
        .package(path: "../Init"),
    ],
    targets: [
        .target(
            name: "KilnLayers",
            dependencies: [
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnInit", package: "Init"),
            ]),
        .testTarget(
            name: "KilnLayersTests",
            dependencies: [
                "KilnLayers",
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnInit", package: "Init"),
                .product(name: "_KilnTestSupport", package: "Tensor"),
            ]),
    ]
)
