// swift-tools-version:6.0
// KilnPlot on its own: a small SVG writer (line charts, contour plots with paths,
// histogram grids, scatter plots). No dependencies beyond the C library for math and files.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Plot",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnPlot", targets: ["KilnPlot"]),
    ],
    targets: [
        .target(name: "KilnPlot"),
        .testTarget(name: "KilnPlotTests", dependencies: ["KilnPlot"]),
    ]
)
