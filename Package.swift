// swift-tools-version:6.0
// The root manifest: every Kiln module as one target, by path into Packages/<Name>/,
// one library product per module, the examples and every test target.
//
// It is driven by the tables below. Each Packages/<Name>/Package.swift declares the same
// targets for standalone use; scripts/check-manifests.sh fails when the two disagree or
// when a dependency points against docs/dependencies.tsv (see docs/ARCHITECTURE.md).
import PackageDescription

// MARK: - Tables

/// A library module: its name, the folder under Packages/, and what it depends on
/// (other modules, system libraries, or products of external packages).
struct Module {
    var name: String
    var package: String
    var dependencies: [String] = []
    /// Not vended as API (test support); still a product so nested packages' tests can use it.
    var isTestSupport = false
}

/// System libraries: C libraries found through pkg-config, installed by scripts/setup.sh.
let systemLibraries: [Target] = [
    .systemLibrary(
        name: "CBLAS", path: "Packages/Tensor/Sources/CBLAS", pkgConfig: "openblas",
        providers: [.apt(["libopenblas-dev", "pkg-config"]), .brew(["openblas"])]),
    .systemLibrary(
        name: "CZlib", path: "Packages/Data/Sources/CZlib", pkgConfig: "zlib",
        providers: [.apt(["zlib1g-dev", "pkg-config"]), .brew(["zlib"])]),
    .systemLibrary(
        name: "CLibPNG", path: "Packages/Augmentation/Sources/CLibPNG", pkgConfig: "libpng",
        providers: [.apt(["libpng-dev", "pkg-config"]), .brew(["libpng"])]),
    .systemLibrary(
        name: "CMPI", path: "Packages/MPI/Sources/CMPI", pkgConfig: "ompi",
        providers: [.apt(["libopenmpi-dev", "pkg-config"]), .brew(["open-mpi"])]),
]

let modules: [Module] = [
    Module(name: "KilnRegistry", package: "Registry"),
    Module(name: "KilnFiles", package: "Files"),
    Module(name: "KilnTensor", package: "Tensor", dependencies: ["CBLAS"]),
    Module(name: "_KilnTestSupport", package: "Tensor", dependencies: ["KilnTensor"], isTestSupport: true),
    Module(name: "KilnInit", package: "Init", dependencies: ["KilnRegistry", "KilnTensor"]),
    Module(name: "KilnRegularizers", package: "Regularizers", dependencies: ["KilnRegistry", "KilnTensor"]),
    Module(name: "KilnLayers", package: "Layers", dependencies: ["KilnRegistry", "KilnTensor", "KilnInit"]),
    Module(name: "KilnData", package: "Data", dependencies: ["KilnFiles", "KilnTensor", "CZlib"]),
    Module(name: "KilnAugmentation", package: "Augmentation", dependencies: ["CLibPNG", "KilnFiles", "KilnRegistry", "KilnTensor", "KilnData"]),
    Module(name: "KilnOptimizers", package: "Optimizers", dependencies: ["KilnRegistry", "KilnTensor"]),
    Module(name: "KilnPlot", package: "Plot", dependencies: ["KilnFiles"]),
    Module(name: "KilnDistributed", package: "Distributed"),
    Module(name: "KilnMPI", package: "MPI", dependencies: ["CMPI", "KilnDistributed"]),
    Module(name: "KilnTraining", package: "Training",
           dependencies: ["KilnFiles", "KilnRegistry", "KilnTensor", "KilnData", "KilnDistributed", "KilnLayers", "KilnOptimizers", "KilnRegularizers"]),
    Module(name: "KilnInterop", package: "Interop", dependencies: ["KilnRegistry", "KilnTensor", "KilnLayers", "KilnTraining"]),
    Module(name: "KilnEnsemble", package: "Ensemble", dependencies: ["KilnFiles", "KilnTensor", "KilnData", "KilnDistributed", "KilnLayers", "KilnOptimizers", "KilnRegularizers", "KilnTraining"]),
]

/// Test targets live in Packages/<Name>/Tests/<Target>, or in Tests/<Target> for the
/// cross-package tests (package nil).
let testTargets: [(name: String, package: String?, dependencies: [String])] = [
    ("KilnRegistryTests", "Registry", ["KilnRegistry"]),
    ("KilnFilesTests", "Files", ["KilnFiles"]),
    ("KilnTensorTests", "Tensor", ["KilnTensor", "_KilnTestSupport"]),
    ("KilnInitTests", "Init", ["KilnInit", "KilnRegistry", "KilnTensor", "_KilnTestSupport"]),
    ("KilnRegularizersTests", "Regularizers", ["KilnRegularizers", "KilnRegistry", "KilnTensor", "_KilnTestSupport"]),
    ("KilnLayersTests", "Layers", ["KilnLayers", "KilnRegistry", "KilnTensor", "KilnInit", "_KilnTestSupport"]),
    ("KilnDataTests", "Data", ["KilnData", "CZlib", "KilnTensor", "_KilnTestSupport"]),
    ("KilnAugmentationTests", "Augmentation", ["KilnAugmentation", "KilnRegistry", "KilnTensor", "KilnData", "_KilnTestSupport"]),
    ("KilnOptimizersTests", "Optimizers", ["KilnOptimizers", "KilnRegistry", "KilnTensor", "_KilnTestSupport"]),
    ("KilnPlotTests", "Plot", ["KilnPlot"]),
    ("KilnDistributedTests", "Distributed", ["KilnDistributed"]),
    ("KilnMPITests", "MPI", ["KilnMPI", "KilnDistributed"]),
    ("KilnTrainingTests", "Training",
     ["KilnTraining", "KilnTensor", "KilnData", "KilnDistributed", "KilnLayers", "KilnOptimizers", "KilnRegularizers", "_KilnTestSupport"]),
    ("KilnEnsembleTests", "Ensemble", ["KilnEnsemble", "KilnTensor", "KilnData", "KilnDistributed", "KilnLayers", "KilnOptimizers", "KilnTraining"]),
    ("KilnInteropTests", "Interop", ["KilnInterop", "KilnTensor", "KilnLayers", "KilnTraining"]),
    ("ExampleTests", nil, []),
]

/// The example commands: product name (the command users type), the executable's folder
/// under Examples/ (a one-line main.swift), and the public command type in KilnCommands
/// (Examples/Commands/<folder>/), which a user's package can run with its own components.
let commands: [(product: String, target: String)] = [
    ("kiln-bench", "KilnBench"),
    ("mnist-classifier", "MNISTClassifier"),
    ("bagging-ensemble", "BaggingEnsemble"),
    ("boosting-ensemble", "BoostingEnsemble"),
    ("kiln-model", "KilnModel"),
    ("gradient-check", "GradientCheck"),
    ("custom-optimizer", "CustomOptimizer"),
    ("optimizer-trajectories", "OptimizerTrajectories"),
    ("init-histograms", "InitHistograms"),
    ("regularization-comparison", "RegularizationComparison"),
    ("hyperparameter-search", "HyperparameterSearch"),
    ("augment-image", "AugmentImage"),
    ("export-png", "ExportPNG"),
]

/// The fuzz executables: product name, target folder under Examples/, dependencies.
let fuzzers: [(product: String, target: String, dependencies: [String])] = [
    ("png-fuzz", "PNGFuzz", ["KilnAugmentation", "KilnFuzzMain"]),
    ("spec-fuzz", "SpecFuzz", ["KilnRegistry", "KilnInit", "KilnOptimizers", "KilnRegularizers", "KilnLayers", "KilnAugmentation", "KilnFuzzMain"]),
    ("idx-fuzz", "IDXFuzz", ["KilnData", "KilnFuzzMain"]),
    ("safetensors-fuzz", "SafeTensorsFuzz", ["KilnEnsemble", "KilnLayers", "KilnTensor", "KilnTraining", "KilnFuzzMain"]),
]

// MARK: - Derived

let externalProducts: [String: Target.Dependency] = [
    "ArgumentParser": .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

func dependency(_ name: String) -> Target.Dependency {
    externalProducts[name] ?? .target(name: name)
}

let libraryTargets: [Target] = modules.map { module in
    .target(
        name: module.name,
        dependencies: module.dependencies.map(dependency),
        path: "Packages/\(module.package)/Sources/\(module.name)")
}

let testTargetList: [Target] = testTargets.map { test in
    .testTarget(
        name: test.name,
        dependencies: test.dependencies.map(dependency),
        path: test.package.map { "Packages/\($0)/Tests/\(test.name)" } ?? "Tests/\(test.name)")
}

/// Code the examples share (flags, data loading, the error contract): not a product.
let exampleSupport: Target = .target(
    name: "KilnExampleSupport",
    dependencies: ["KilnAugmentation", "KilnData", "KilnDistributed", "KilnFiles", "KilnMPI", "KilnLayers", "KilnOptimizers", "KilnPlot", "KilnRegistry",
                   "KilnRegularizers", "KilnTensor", "KilnTraining", "ArgumentParser"].map(dependency),
    path: "Examples/ExampleSupport")

/// The weak C `main` of the fuzz executables (libFuzzer's replaces it): not a product.
let fuzzMain: Target = .target(name: "KilnFuzzMain", path: "Examples/FuzzMain")

/// Every example command as a public type: the library product `KilnCommands`.
let commandsTarget: Target = .target(
    name: "KilnCommands",
    dependencies: (modules.filter { !$0.isTestSupport }.map(\.name) + ["KilnExampleSupport", "CBLAS", "ArgumentParser"]).map(dependency),
    path: "Examples/Commands")

let exampleTargets: [Target] = commands.map { command in
    .executableTarget(name: command.target, dependencies: ["KilnCommands"], path: "Examples/\(command.target)")
} + fuzzers.map { fuzzer in
    .executableTarget(name: fuzzer.target, dependencies: fuzzer.dependencies.map(dependency), path: "Examples/\(fuzzer.target)")
}

let package = Package(
    name: "Kiln",
    platforms: [.macOS(.v15)],
    products: modules.map { .library(name: $0.name, targets: [$0.name]) }
        + [.library(name: "KilnCommands", targets: ["KilnCommands"])]
        + commands.map { .executable(name: $0.product, targets: [$0.target]) }
        + fuzzers.map { .executable(name: $0.product, targets: [$0.target]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: systemLibraries + libraryTargets + testTargetList + [exampleSupport, commandsTarget, fuzzMain] + exampleTargets
)
