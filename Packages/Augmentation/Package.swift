// swift-tools-version:6.0
// KilnAugmentation on its own: Image, PNG decode/encode through libpng's simplified API
// (system library CLibPNG), geometric transforms (crop, flip, rotate, scale, resize) and
// random pipelines from spec strings, image-folder and augmented datasets.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Augmentation",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnAugmentation", targets: ["KilnAugmentation"]),
    ],
    dependencies: [
        .package(path: "../Files"),
        .package(path: "../Registry"),
        .package(path: "../Tensor"),
        .package(path: "../Data"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev", "pkg-config"]), .brew(["libpng"])]),
        .target(
            name: "KilnAugmentation",
            dependencies: [
                "CLibPNG",
                .product(name: "KilnFiles", package: "Files"),
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnData", package: "Data"),
            ]),
        .testTarget(
            name: "KilnAugmentationTests",
            dependencies: [
                "KilnAugmentation",
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnData", package: "Data"),
                .product(name: "_KilnTestSupport", package: "Tensor"),
            ]),
    ]
)
