// swift-tools-version:6.0
// KilnFiles on its own: whole-file reads and crash-safe atomic writes through POSIX calls.
// No dependencies beyond the C library. Keep in step with the root manifest's module table
// (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Files",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnFiles", targets: ["KilnFiles"]),
    ],
    targets: [
        .target(name: "KilnFiles"),
        .testTarget(name: "KilnFilesTests", dependencies: ["KilnFiles"]),
    ]
)
