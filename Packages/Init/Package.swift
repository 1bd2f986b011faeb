// swift-tools-version:6.0
// KilnInit on its own: the Initializer protocol, Fan, the activation gains and the built-in
// initializers (zeros ... orthogonal, variance scaling), registered by name.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Init",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnInit", targets: ["KilnInit"]),
    ],
    dependencies: [
        .package(path: "../Registry"),
        .package(path: "../Tensor"),
    ],
    targets: [
        .target(
            name: "KilnInit",
            dependencies: [
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
            ]),
        .testTarget(
            name: "KilnInitTests",
            dependencies: [
                "KilnInit",
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "_KilnTestSupport", package: "Tensor"),
            ]),
    ]
)
