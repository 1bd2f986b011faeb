// swift-tools-version:6.0
// KilnPlot on its own: a small SVG writer (line charts, contour plots with paths,
// histogram grids, scatter plots). Files are written through KilnFiles; nothing else.
// Keep in step with the root manifest's module table (scripts/check-manifests.sh checks).
import PackageDescription

let package = Package(
    name: "Plot",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KilnPlot", targets: ["KilnPlot"]),
    ],
    dependencies: [
        .package(path: "../Files"),
    ],
    targets: [
        .target(name: "KilnPlot", dependencies: [.product(name: "KilnFiles", package: "Files")]),
        .testTarget(name: "KilnPlotTests", dependencies: ["KilnPlot"]),
    ]
)
