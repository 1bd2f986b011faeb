// swift-tools-version:6.0
// KilnRegistry on its own: named component factories and spec strings.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Registry",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnRegistry", targets: ["KilnRegistry"]),
    ],
    targets: [
        .target(name: "KilnRegistry"),
        .testTarget(name: "KilnRegistryTests", dependencies: ["KilnRegistry"]),
    ]
)
