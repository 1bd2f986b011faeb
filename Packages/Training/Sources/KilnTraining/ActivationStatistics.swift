import KilnLayers
import KilnTensor

/// Summary statistics of a set of values (a layer's activations, say), in double
/// precision over one pass.
public struct ValueSummary: Sendable, Equatable, CustomStringConvertible {
    /// The number of values.
    public var count: Int
    /// The mean (NaN for no values).
    public var mean: Double
    /// Population standard deviation.
    public var std: Double
    /// The smallest value.
    public var min: Double
    /// The largest value.
    public var max: Double

    /// The statistics of every element of `values`, summed in `Double`.
    public init(_ values: Tensor) {
        var sum = 0.0, sumSquares = 0.0
        var lo = Double.infinity, hi = -Double.infinity
        values.withUnsafeBufferPointer { v in
            for x in v {
                let d = Double(x)
                sum += d
                sumSquares += d * d
                if d < lo { lo = d }
                if d > hi { hi = d }
            }
        }
        count = values.count
        let n = Double(Swift.max(1, count))
        mean = count > 0 ? sum / n : .nan
        std = count > 0 ? Swift.max(0, sumSquares / n - mean * mean).squareRoot() : .nan
        self.min = lo
        self.max = hi
    }

    public var description: String { "mean \(formatFixed(mean, 4)), std \(formatFixed(std, 4))" }
}

/// What each layer of a network outputs for one batch: the activation-histogram
/// experiment of the course notes (a deep MLP fed random inputs, one histogram per layer).
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let model = try Sequential.build(spec: "dense(100, init=xavier-normal)|tanh|dense(100, init=xavier-normal)|tanh",
///                                  inputShape: [100], rng: &rng)
/// let probe = ActivationProbe(model: model, input: Tensor.normal([1000, 100], using: &rng))
/// for layer in probe.activations { print(layer.name, layer.summary) }
/// ```
public struct ActivationProbe {
    /// One recorded layer output.
    public struct Record {
        /// The layer's position in the model (0-based) and its spec, e.g. `"3.sigmoid"`.
        public var index: Int
        /// The layer's spec name.
        public var name: String
        /// What the layer output for the batch.
        public var output: Tensor
        /// The statistics of `output`.
        public var summary: ValueSummary

        /// The fraction of values `v` with `predicate(v)` true.
        public func fraction(where predicate: (Float) -> Bool) -> Double {
            var n = 0
            output.withUnsafeBufferPointer { v in for x in v where predicate(x) { n += 1 } }
            return Double(n) / Double(Swift.max(1, output.count))
        }

        /// The values as doubles (for histograms).
        public var values: [Double] { output.withUnsafeBufferPointer { $0.map(Double.init) } }
    }

    /// Every layer's output, in order.
    public var layers: [Record]

    /// Runs `input` through `model` one layer at a time (evaluation mode unless
    /// `training`), keeping a copy of each layer's output.
    public init(model: Sequential, input: Tensor, training: Bool = false) {
        var x = input
        var records: [Record] = []
        for (i, layer) in model.layers.enumerated() {
            x = layer.forward(x, training: training)
            // Keeping `x` is safe: a layer's next forward copies its buffer on write.
            let kept = x
            let kind = layer.description.prefix { $0 != "(" }
            records.append(Record(index: i, name: "\(i).\(kind)", output: kept, summary: ValueSummary(kept)))
        }
        layers = records
    }

    /// The outputs of the parameter-free layers that follow a layer with parameters (the
    /// activations after each dense or conv layer): the panels of the notes' figures.
    /// A model with no such layer gives every layer's output.
    public static func activationLayers(of model: Sequential) -> [Int] {
        var result: [Int] = []
        for (i, layer) in model.layers.enumerated() where i > 0 && layer.parameters.isEmpty && !model.layers[i - 1].parameters.isEmpty {
            result.append(i)
        }
        return result
    }

    /// The outputs of ``activationLayers(of:)``.
    public static func activations(model: Sequential, input: Tensor) -> [Record] {
        let probe = ActivationProbe(model: model, input: input)
        let wanted = activationLayers(of: model)
        return wanted.isEmpty ? probe.layers : wanted.map { probe.layers[$0] }
    }
}

/// How far apart the hidden units of a dense weight matrix are: the largest absolute
/// difference between any unit's weights and the first unit's, with units along
/// `unitAxis` (1: the columns of a `[inputs, units]` matrix, i.e. each unit's incoming
/// weights; 0: the rows, each input's outgoing weights).
///
/// 0 means every unit is a copy of the first: the symmetry that zero (or any constant)
/// initialization never breaks, because units that start equal receive equal gradients.
public func unitSpread(_ weight: Tensor, unitAxis: Int) -> Float {
    precondition(weight.rank == 2 && (unitAxis == 0 || unitAxis == 1), "unitSpread: a 2-D weight and axis 0 or 1, got \(weight.shape) and \(unitAxis)")
    let rows = weight.shape[0], cols = weight.shape[1]
    var spread: Float = 0
    weight.withUnsafeBufferPointer { w in
        for r in 0..<rows {
            for c in 0..<cols {
                let reference = unitAxis == 1 ? w[r * cols] : w[c]
                spread = Swift.max(spread, abs(w[r * cols + c] - reference))
            }
        }
    }
    return spread
}

/// The number of different units in a dense weight matrix (units along `unitAxis`, as in
/// ``unitSpread(_:unitAxis:)``): two units are the same when none of their weights differ
/// by more than `relativeTolerance` times the largest |w| of the matrix. Float32 rounding
/// makes units that are equal in exact arithmetic differ by a few ulps, hence the
/// tolerance; a zero-initialized layer after training has 1, a randomly initialized one
/// as many as it has units.
public func distinctUnits(_ weight: Tensor, unitAxis: Int, relativeTolerance: Float = 1e-5) -> Int {
    precondition(weight.rank == 2 && (unitAxis == 0 || unitAxis == 1), "distinctUnits: a 2-D weight and axis 0 or 1, got \(weight.shape) and \(unitAxis)")
    let rows = weight.shape[0], cols = weight.shape[1]
    let units = unitAxis == 1 ? cols : rows, length = unitAxis == 1 ? rows : cols
    return weight.withUnsafeBufferPointer { w -> Int in
        var scale: Float = 0
        for x in w { scale = Swift.max(scale, abs(x)) }
        let tolerance = relativeTolerance * scale
        func at(_ unit: Int, _ k: Int) -> Float { unitAxis == 1 ? w[k * cols + unit] : w[unit * cols + k] }
        var representatives: [Int] = []
        for u in 0..<units {
            let matches = representatives.contains { r in
                for k in 0..<length where abs(at(u, k) - at(r, k)) > tolerance { return false }
                return true
            }
            if !matches { representatives.append(u) }
        }
        return representatives.count
    }
}

/// The largest |w| of a tensor (0 for an empty one).
public func largestMagnitude(_ values: Tensor) -> Float {
    values.withUnsafeBufferPointer { v in v.reduce(0) { Swift.max($0, abs($1)) } }
}
