import Foundation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnPlot
import KilnTensor
import KilnTraining

/// An initializer paired with an activation: one row of the course notes' experiment.
struct InitPair {
    /// Short label for tables and figures, e.g. `Xavier + ReLU`.
    var label: String
    /// Initializer spec for every dense layer, e.g. `xavier-normal`.
    var initializer: String
    /// Activation layer spec, e.g. `relu`.
    var activation: String

    /// The seven pairs of the notes: std 1 and std 0.01 with sigmoid (saturation and
    /// collapse), Xavier with sigmoid, tanh and ReLU, He with ReLU and leaky ReLU.
    static let classic: [InitPair] = [
        InitPair(label: "N(0, 1) + sigmoid", initializer: "normal(std=1)", activation: "sigmoid"),
        InitPair(label: "N(0, 0.01) + sigmoid", initializer: "normal(std=0.01)", activation: "sigmoid"),
        InitPair(label: "Xavier + sigmoid", initializer: "xavier-normal", activation: "sigmoid"),
        InitPair(label: "Xavier + tanh", initializer: "xavier-normal", activation: "tanh"),
        InitPair(label: "Xavier + ReLU", initializer: "xavier-normal", activation: "relu"),
        InitPair(label: "He + ReLU", initializer: "he-normal", activation: "relu"),
        InitPair(label: "He + leaky ReLU", initializer: "he-normal(slope=0.01)", activation: "leaky-relu(0.01)"),
    ]

    /// Parses `INIT+ACTIVATION` (the last `+` outside parentheses splits), e.g.
    /// `orthogonal(gain=1)+tanh`; the specs are checked by building a one-layer model.
    init(parsing text: String) throws {
        var depth = 0, split: String.Index?
        for i in text.indices {
            switch text[i] {
            case "(": depth += 1
            case ")": depth -= 1
            case "+" where depth == 0: split = i
            default: break
            }
        }
        guard let split, split != text.startIndex, text.index(after: split) != text.endIndex else {
            throw InitPairError("expected INIT+ACTIVATION such as \"orthogonal+tanh\", got \"\(text)\"")
        }
        initializer = text[..<split].trimmingCharacters(in: .whitespaces)
        activation = text[text.index(after: split)...].trimmingCharacters(in: .whitespaces)
        label = "\(initializer) + \(activation)"
        var rng = RandomGenerator(seed: 0)
        let model: Sequential
        do { model = try Sequential.build(spec: spec(layers: 1, units: 2), inputShape: [2], rng: &rng) } catch {
            throw InitPairError("\"\(text)\": \(error)")
        }
        guard model.layers.count == 2, model.layers[1].parameters.isEmpty, model.outputShape == [2] else {
            throw InitPairError("\"\(text)\": \(activation) is not an activation (it has parameters or changes the shape)")
        }
    }

    init(label: String, initializer: String, activation: String) {
        self.label = label
        self.initializer = initializer
        self.activation = activation
    }

    /// The model spec: `layers` times `dense(units, init=I)|A`.
    func spec(layers: Int, units: Int) -> String {
        Array(repeating: "dense(\(units), init=\(initializer))|\(activation)", count: layers).joined(separator: "|")
    }

    /// The activation's name without arguments (`leaky-relu`).
    var activationName: String { String(activation.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces) }
}

struct InitPairError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One pair's measured activations, layer by layer.
struct PairResult {
    var pair: InitPair
    var layers: [ActivationProbe.Record]
}

/// Runs every pair on the same inputs: `samples` standard-normal rows of `units` features
/// (seeded by `seed`), weights seeded by `seed + 1`, evaluation mode.
func runPairs(_ pairs: [InitPair], layers: Int, units: Int, samples: Int, seed: UInt64) throws -> [PairResult] {
    var inputRNG = RandomGenerator(seed: seed)
    let input = Tensor.normal([samples, units], using: &inputRNG)
    return try pairs.map { pair in
        var rng = RandomGenerator(seed: seed &+ 1)
        let model = try Sequential.build(spec: pair.spec(layers: layers, units: units), inputShape: [units], rng: &rng)
        return PairResult(pair: pair, layers: ActivationProbe.activations(model: model, input: input))
    }
}

/// The share of activations stuck at the ends of a bounded activation (sigmoid: within
/// 0.02 of 0 or 1; tanh: within 0.02 of ±1), where the derivative is almost 0; nil for
/// unbounded activations.
func saturatedFraction(_ record: ActivationProbe.Record, activation: String) -> Double? {
    switch activation {
    case "sigmoid": return record.fraction { $0 < 0.02 || $0 > 0.98 }
    case "tanh": return record.fraction { abs($0) > 0.98 }
    default: return nil
    }
}

/// The table: per pair, rows of per-layer mean and std (and the saturated share for
/// sigmoid and tanh).
func renderTable(_ results: [PairResult]) -> String {
    let layerCount = results.first?.layers.count ?? 0
    let labelWidth = max(24, (results.map(\.pair.label.count).max() ?? 0) + 2)
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    func left(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
    var lines: [String] = []
    lines.append(pad("pair", labelWidth) + pad("", 6) + (1...max(1, layerCount)).map { left("layer \($0)", 9) }.joined())
    for r in results {
        let name = r.pair.activationName
        lines.append(pad(r.pair.label, labelWidth) + pad("mean", 6) + r.layers.map { left(formatFixed($0.summary.mean, 4), 9) }.joined())
        lines.append(pad("", labelWidth) + pad("std", 6) + r.layers.map { left(formatFixed($0.summary.std, 4), 9) }.joined())
        if r.layers.first.flatMap({ saturatedFraction($0, activation: name) }) != nil {
            lines.append(pad("", labelWidth) + pad("sat", 6) + r.layers.map { left(formatFixed(100 * saturatedFraction($0, activation: name)!, 1) + "%", 9) }.joined())
        }
    }
    return lines.joined(separator: "\n")
}

/// The figure: per pair a row of histograms, one per layer. Sigmoid panels span [0, 1],
/// tanh [-1, 1], others the pair's range over all layers. ReLU's exact zeros (about half
/// of its outputs) are left out, or the zero bar would flatten everything else.
func drawFigure(_ results: [PairResult], layers: Int, units: Int, samples: Int, bins: Int) -> StackedFigure {
    var documents: [SVGDocument] = []
    for (k, r) in results.enumerated() {
        let name = r.pair.activationName
        let dropZeros = name == "relu"
        let values = r.layers.map { layer in dropZeros ? layer.values.filter { $0 != 0 } : layer.values }
        let range: ClosedRange<Double>
        switch name {
        case "sigmoid": range = 0...1
        case "tanh": range = -1...1
        default:
            let all = values.flatMap { $0 }
            // ReLU panels start at 0 (their zeros are left out, the rest is positive).
            let lo = dropZeros ? 0 : all.min() ?? 0, hi = all.max() ?? 1
            range = lo...(hi > lo ? hi : lo + 1)
        }
        var title = r.pair.label
        if dropZeros {
            let zeros = r.layers.reduce(0.0) { $0 + $1.fraction { $0 == 0 } } / Double(max(1, r.layers.count))
            title += "  (exact zeros left out: \(formatFixed(100 * zeros, 0))% of outputs)"
        }
        var grid = HistogramGrid(title: title, columns: layers, bins: bins, xRange: range, sharedY: true,
                                 panelWidth: 210, panelHeight: 150)
        for (i, v) in values.enumerated() {
            grid.panels.append(.init(title: "layer \(i + 1)  std \(formatFixed(r.layers[i].summary.std, 3))", values: v, color: Palette.color(k)))
        }
        documents.append(grid.document())
    }
    var header = SVGDocument(width: documents.map(\.width).max() ?? 600, height: 44)
    header.text("Activations per layer: \(layers) dense layers of \(units) units, \(samples) standard-normal inputs (y: share of values per bin)",
                x: header.width / 2, y: 28, size: 15, anchor: .middle, bold: true)
    return stack([header] + documents)
}

// MARK: - Zero initialization

/// The symmetry experiment: a small sigmoid network trained from all-zero weights, next
/// to the same network from He-normal weights.
struct SymmetryResult {
    var initializer: String
    var trainAccuracy: Double
    var largestWeight: Float
    /// Largest difference between two hidden units' incoming weights.
    var hiddenSpread: Float
    /// Largest difference between two hidden units' outgoing weights.
    var outgoingSpread: Float
    var distinctHidden: Int
    var hiddenUnits: Int
}

/// Synthetic 3-class data: `count` rows of `features` standard-normal values, class by
/// two linear rules.
func symmetryData(count: Int = 600, features: Int = 10, seed: UInt64) -> TensorDataset {
    var rng = RandomGenerator(seed: seed)
    let x = Tensor.normal([count, features], using: &rng)
    let labels = (0..<count).map { i in x[i, 0] - x[i, 1] > 0 ? (x[i, 2] + x[i, 3] > 0 ? 2 : 1) : 0 }
    return TensorDataset(inputs: x, labels: labels, classNames: ["a", "b", "c"])
}

func runSymmetry(initializer: String, hidden: Int, epochs: Int, seed: UInt64) throws -> SymmetryResult {
    let data = symmetryData(seed: seed)
    var rng = RandomGenerator(seed: seed &+ 1)
    let model = try Sequential.build(spec: "dense(\(hidden), init=\(initializer))|sigmoid|dense(3, init=\(initializer))",
                                     inputShape: data.inputShape, rng: &rng)
    let trainer = Trainer(model: model, optimizer: try optimizers.make("sgd(lr=0.5)"), batchSize: 30, seed: seed)
    try trainer.fit(train: data, epochs: epochs)
    guard let first = model.layers[0] as? Dense, let second = model.layers[2] as? Dense,
          let w1 = first.weight?.value, let w2 = second.weight?.value else {
        throw InitPairError("internal: the symmetry model has no dense weights")
    }
    return SymmetryResult(
        initializer: initializer, trainAccuracy: trainer.evaluate(data).accuracy,
        largestWeight: largestMagnitude(w1), hiddenSpread: unitSpread(w1, unitAxis: 1),
        outgoingSpread: unitSpread(w2, unitAxis: 0), distinctHidden: distinctUnits(w1, unitAxis: 1), hiddenUnits: hidden)
}

func renderSymmetry(_ results: [SymmetryResult], hidden: Int, epochs: Int) -> String {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    func sci(_ x: Float) -> String { x == 0 ? "0" : (x < 1e-3 ? String(format: "%.1e", Double(x)) : formatFixed(Double(x), 4)) }
    var lines = [
        "zero init: dense(\(hidden))|sigmoid|dense(3) trained \(epochs) epochs with sgd(lr=0.5) on 600 synthetic examples (10 features, 3 classes)",
        pad("init", 12) + pad("train acc", 11) + pad("largest |w|", 13) + pad("max diff in (hidden units' incoming w)", 40)
            + pad("max diff out", 14) + "distinct hidden units",
    ]
    for r in results {
        lines.append(pad(r.initializer, 12) + pad(formatFixed(r.trainAccuracy, 3), 11) + pad(sci(r.largestWeight), 13)
                     + pad(sci(r.hiddenSpread), 40) + pad(sci(r.outgoingSpread), 14) + "\(r.distinctHidden) of \(r.hiddenUnits)")
    }
    let zero = results.first { $0.initializer == "zeros" }
    lines.append("From zeros every hidden unit gets the same input, output and gradient, so the \(hidden) units stay one unit repeated \(hidden) times,")
    let identical = zero.map { $0.hiddenSpread == 0 && $0.outgoingSpread == 0 } ?? false
    lines.append("though the weights moved (largest |w|). " + (identical
        ? "Here their weights are bit-for-bit identical (max diff 0)."
        : "What differences remain are float32 rounding (BLAS sums columns in different orders), not learning;"))
    lines.append("units count as distinct when a weight differs by more than 1e-5 of the largest |w|.")
    return lines.joined(separator: "\n")
}
