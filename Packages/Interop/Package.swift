// swift-tools-version:6.0
// KilnInterop on its own: models in and out of Kiln. ONNX export (a hand-written protobuf
// writer, opset 17) and PyTorch nn.Sequential state_dicts as safetensors, both ways. Keep
// in step with the root manifest's table.
import PackageDescription

let package = Package(
    name: "Interop",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnInterop", targets: ["KilnInterop"]),
    ],
    dependencies: [
        .package(path: "../Registry"),
        .package(path: "../Tensor"),
        .package(path: "../Layers"),
        .package(path: "../Training"),
    ],
    targets: [
        .target(
            name: "KilnInterop",
            dependencies: [
                .product(name: "KilnRegistry", package: "Registry"),
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnLayers", package: "Layers"),
                .product(name: "KilnTraining", package: "Training"),
            ]),
        .testTarget(
            name: "KilnInteropTests",
            dependencies: [
                "KilnInterop",
                .product(name: "KilnTensor", package: "Tensor"),
                .product(name: "KilnLayers", package: "Layers"),
                .product(name: "KilnTraining", package: "Training"),
            ]),
    ]
)
