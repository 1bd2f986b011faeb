// swift-tools-version:6.0
// A user's own package, as a new user would write it: it depends on Kiln by path, adds a
// layer (Swish) and a transform (random-translate) of its own, checks them, trains with
// them, saves and loads the model. scripts/test.sh builds and runs it; it exits non-zero
// when any step fails. Not part of the root package.
import PackageDescription

let package = Package(
    name: "ExtendingKiln",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Kiln", path: "../../..")],
    targets: [
        .executableTarget(
            name: "ExtendingKiln",
            dependencies: [
                .product(name: "KilnTensor", package: "Kiln"),
                .product(name: "KilnRegistry", package: "Kiln"),
                .product(name: "KilnData", package: "Kiln"),
                .product(name: "KilnLayers", package: "Kiln"),
                .product(name: "KilnOptimizers", package: "Kiln"),
                .product(name: "KilnAugmentation", package: "Kiln"),
                .product(name: "KilnTraining", package: "Kiln"),
            ]),
    ]
)
