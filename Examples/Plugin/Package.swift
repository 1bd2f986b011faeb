// swift-tools-version:6.0
// A plugin package, as a user would write one: it depends on Kiln by path, registers an
// optimizer (Lion) and an initializer (sparse) of its own, and runs Kiln's
// mnist-classifier command with them: `swift run kiln-plugin --optimizer "lion(lr=3e-4)"
// --model "dense(256, init=sparse(0.2))|relu|dense(10)"`. scripts/test.sh builds and runs it.
import PackageDescription

let package = Package(
    name: "KilnPlugin",
    platforms: [.macOS(.v15)],
    products: [.executable(name: "kiln-plugin", targets: ["KilnPlugin"])],
    dependencies: [.package(name: "Kiln", path: "../..")],
    targets: [
        .executableTarget(
            name: "KilnPlugin",
            dependencies: [
                .product(name: "KilnCommands", package: "Kiln"),
                .product(name: "KilnInit", package: "Kiln"),
                .product(name: "KilnOptimizers", package: "Kiln"),
                .product(name: "KilnTensor", package: "Kiln"),
            ]),
    ]
)
