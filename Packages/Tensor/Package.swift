// swift-tools-version:6.0
// KilnTensor on its own: the Float32 Tensor, RandomGenerator and BLAS matmul (OpenBLAS),
// plus _KilnTestSupport, the test helpers every Kiln package's tests use (not API).
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Tensor",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnTensor", targets: ["KilnTensor"]),
        .library(name: "_KilnTestSupport", targets: ["_KilnTestSupport"]),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "pkg-config"]), .brew(["openblas"])]),
        .target(name: "KilnTensor", dependencies: ["CBLAS"]),
        .target(name: "_KilnTestSupport", dependencies: ["KilnTensor"]),
        .testTarget(name: "KilnTensorTests", dependencies: ["KilnTensor", "_KilnTestSupport"]),
    ]
)
