import Foundation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnPlot
import KilnRegistry
import KilnRegularizers
import KilnTensor
import KilnTraining

/// One arm of the comparison: a name, the model spec and the regularizer.
struct Variant {
    var name: String
    var model: String
    var regularizer: String?
    /// What the table prints in the "regularizer" row.
    var setting: String
}

/// The four arms: the same network with no regularizer, L2, L1, and dropout after every
/// hidden activation.
func variants(model: String, l2: Double, l1: Double, dropout: Double) throws -> [Variant] {
    let withDropout = try insertDropout(into: model, rate: dropout)
    return [
        Variant(name: "none", model: model, regularizer: nil, setting: "-"),
        Variant(name: "L2", model: model, regularizer: "l2(\(Spec.format(l2)))", setting: "l2(\(Spec.format(l2)))"),
        Variant(name: "L1", model: model, regularizer: "l1(\(Spec.format(l1)))", setting: "l1(\(Spec.format(l1)))"),
        Variant(name: "dropout", model: withDropout, regularizer: nil, setting: "dropout(\(Spec.format(dropout)))"),
    ]
}

/// The model spec with `dropout(rate)` after every hidden activation: each activation
/// stage that some layer with weights follows (not the output's).
func insertDropout(into model: String, rate: Double) throws -> String {
    let stages = try Spec.parsePipeline(model)
    let weighted: Set<String> = ["dense", "linear", "conv", "conv2d"]
    let structural: Set<String> = ["dropout", "flatten", "batchnorm", "batch-norm", "bn", "layernorm", "layer-norm",
                                   "maxpool", "max-pool", "maxpool2d", "avgpool", "avg-pool", "avgpool2d", "softmax"]
    var out: [String] = []
    for (i, stage) in stages.enumerated() {
        out.append(stage.description)
        let isActivation = !weighted.contains(stage.name) && !structural.contains(stage.name)
        if isActivation, stages[(i + 1)...].contains(where: { weighted.contains($0.name) }) {
            out.append("dropout(\(Spec.format(rate)))")
        }
    }
    return out.joined(separator: "|")
}

/// What one arm measured.
struct VariantResult {
    var variant: Variant
    var trainAccuracy: Double
    var testAccuracy: Double
    var weights: WeightStatistics
    var seconds: Double
    /// Every weight per layer, for the figure.
    var layerWeights: [[Double]]
}

struct TrainingSetup {
    var optimizer: String
    /// A learning-rate schedule spec, or nil for a constant rate.
    var schedule: String?
    var epochs: Int
    var batchSize: Int
    var seed: UInt64
}

/// Trains one arm from the same seed (same initial weights for every arm whose layers
/// are the same, same batch order) and measures it.
func runVariant(_ variant: Variant, train: TensorDataset, test: TensorDataset, setup: TrainingSetup,
                log: (String) -> Void) throws -> VariantResult {
    var rng = RandomGenerator(seed: setup.seed)
    let model: Sequential
    do { model = try Sequential.build(spec: variant.model, inputShape: train.inputShape, rng: &rng) } catch {
        throw ComparisonError("--model \"\(variant.model)\" does not fit the data (input \(train.inputShape)): \(error)")
    }
    guard model.outputShape == [train.classNames.count] else {
        throw ComparisonError("--model ends with \(model.outputShape) outputs, but the data has \(train.classNames.count) classes")
    }
    let trainer = Trainer(model: model, optimizer: try optimizers.make(setup.optimizer), batchSize: setup.batchSize, seed: setup.seed)
    if let r = variant.regularizer { trainer.regularizer = try regularizers.make(r) }
    if let schedule = setup.schedule { trainer.schedule = try schedules.make(schedule) }
    let start = Date()
    try trainer.fit(train: train, epochs: setup.epochs)
    let seconds = Date().timeIntervalSince(start)
    let trainAccuracy = trainer.evaluate(train.count <= 10_000 ? train : train.subset(Array(0..<10_000))).accuracy
    let testAccuracy = trainer.evaluate(test).accuracy
    let weights = WeightStatistics(parameters: trainer.parameters)
    let layerWeights = trainer.parameters.filter(\.isRegularized).map { p in p.value.withUnsafeBufferPointer { $0.map(Double.init) } }
    log("  \(variant.name): train accuracy \(formatFixed(trainAccuracy, 4)), test accuracy \(formatFixed(testAccuracy, 4)) (\(formatFixed(seconds, 1)) s)")
    return VariantResult(variant: variant, trainAccuracy: trainAccuracy, testAccuracy: testAccuracy, weights: weights,
                         seconds: seconds, layerWeights: layerWeights)
}

struct ComparisonError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The course notes' comparison table: one column per arm.
func renderTable(_ results: [VariantResult]) -> String {
    let labelWidth = 20, columnWidth = 15
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    func left(_ s: String) -> String { s.count >= columnWidth ? " " + s : String(repeating: " ", count: columnWidth - s.count) + s }
    func row(_ label: String, _ cell: (VariantResult) -> String) -> String {
        pad(label, labelWidth) + results.map { left(cell($0)) }.joined()
    }
    func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
    var lines = [
        row("", { $0.variant.name }),
        row("regularizer", { $0.variant.setting }),
        row("train accuracy", { formatFixed($0.trainAccuracy, 4) }),
        row("test accuracy", { formatFixed($0.testAccuracy, 4) }),
        row("weights", { grouped($0.weights.count) }),
    ]
    for (k, t) in (results.first?.weights.thresholds ?? []).enumerated() {
        let label = "|w| < " + (t == 1e-2 ? "1e-2" : t == 1e-5 ? "1e-5" : "\(t)")
        lines.append(row(label, { grouped($0.weights.smallCount(k)) }))
    }
    let layerCount = results.first?.weights.layers.count ?? 0
    for i in 0..<layerCount {
        lines.append(row("layer \(i + 1) L1 norm", { i < $0.weights.layers.count ? formatFixed($0.weights.layers[i].l1, 2) : "-" }))
    }
    for i in 0..<layerCount {
        lines.append(row("layer \(i + 1) L2 norm", { i < $0.weights.layers.count ? formatFixed($0.weights.layers[i].l2, 3) : "-" }))
    }
    lines.append(row("seconds", { formatFixed($0.seconds, 1) }))
    return lines.joined(separator: "\n")
}

/// The figure: per arm a row of weight histograms, one per layer (each layer's x range
/// shared by all arms: ± the 99.9th percentile of its |w|), then log₁₀|w| of all
/// weights, where L1's pile of near-zero weights shows.
func drawFigure(_ results: [VariantResult], bins: Int, title: String) -> StackedFigure {
    let layerCount = results.map(\.layerWeights.count).min() ?? 0
    let ranges: [ClosedRange<Double>] = (0..<layerCount).map { i in
        var magnitudes = results.flatMap { $0.layerWeights[i] }.map(abs)
        magnitudes.sort()
        let bulk = magnitudes.isEmpty ? 1 : magnitudes[min(magnitudes.count - 1, Int(Double(magnitudes.count) * 0.999))]
        let m = bulk > 0 ? bulk : 1
        return -m...m
    }
    var rows: [any SVGRenderable] = []
    for (k, r) in results.enumerated() {
        let color = Palette.color(k)
        var panels: [any SVGRenderable] = []
        for i in 0..<layerCount {
            let grid = HistogramGrid(panels: [.init(title: "layer \(i + 1) weights", values: r.layerWeights[i], color: color)],
                                     columns: 1, bins: bins, xRange: ranges[i], panelWidth: 250, panelHeight: 170)
            panels.append(grid.document())
        }
        let all = r.layerWeights.flatMap { $0 }
        let below5 = all.count(where: { abs($0) < 1e-5 })
        let logs = all.map { $0 == 0 ? -12 : log10(abs($0)) }
        let share = formatFixed(100 * Double(below5) / Double(max(1, all.count)), 1)
        let logGrid = HistogramGrid(panels: [.init(title: "log10 |w|, all layers (\(share)% < 1e-5)", values: logs, color: color)],
                                    columns: 1, bins: bins, xRange: -8...1, panelWidth: 290, panelHeight: 170)
        panels.append(logGrid.document())
        let row = stack(panels, direction: .horizontal)
        var heading = SVGDocument(width: row.width, height: 30)
        let name = r.variant.regularizer == nil && r.variant.name == "none" ? "no regularizer" : "\(r.variant.name): \(r.variant.setting)"
        heading.text("\(name)   (train accuracy \(formatFixed(r.trainAccuracy, 4)), test accuracy \(formatFixed(r.testAccuracy, 4)))",
                     x: 20, y: 22, size: 14, anchor: .start, bold: true)
        rows.append(stack([heading, row]))
    }
    var header = SVGDocument(width: rows.map(\.width).max() ?? 800, height: 44)
    header.text(title, x: header.width / 2, y: 28, size: 16, anchor: .middle, bold: true)
    return stack([header] + rows, gap: 6)
}
