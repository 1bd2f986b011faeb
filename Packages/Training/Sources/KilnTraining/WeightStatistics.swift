import KilnTensor

/// The course notes' L1-vs-L2 comparison measures of a trained model's weights: how many
/// are small (|w| below each threshold) and each layer's L1 norm Σ|w| and L2 norm
/// √(Σw²). L1 regularization drives many weights to (almost) exactly 0 and so gives the
/// smallest L1 norms; L2 shrinks all weights in proportion and gives the smallest L2 norms.
///
/// Only regularized parameters count (weights, not biases), as the penalties apply only
/// to them.
public struct WeightStatistics: Sendable {
    /// One weight tensor.
    public struct Layer: Sendable {
        /// The parameter's name (`0.dense.weight`).
        public var name: String
        /// The number of weights.
        public var count: Int
        /// Σ|w|.
        public var l1: Double
        /// √(Σw²).
        public var l2: Double
        /// Counts of |w| < threshold, one per ``WeightStatistics/thresholds`` entry.
        public var smallCounts: [Int]
    }

    /// The thresholds the small weights are counted below.
    public var thresholds: [Double]
    /// One entry per regularized weight tensor, in model order.
    public var layers: [Layer]

    /// Measures `parameters` (those with `isRegularized`).
    public init(parameters: [Parameter], thresholds: [Double] = [1e-2, 1e-5]) {
        self.thresholds = thresholds
        layers = parameters.filter(\.isRegularized).map { p in
            var l1 = 0.0, sumSquares = 0.0
            var small = [Int](repeating: 0, count: thresholds.count)
            p.value.withUnsafeBufferPointer { w in
                for x in w {
                    let a = Double(abs(x))
                    l1 += a
                    sumSquares += a * a
                    for (k, t) in thresholds.enumerated() where a < t { small[k] += 1 }
                }
            }
            return Layer(name: p.name, count: p.value.count, l1: l1, l2: sumSquares.squareRoot(), smallCounts: small)
        }
    }

    /// Number of weights measured.
    public var count: Int { layers.reduce(0) { $0 + $1.count } }

    /// Weights with |w| < `thresholds[k]` over all layers.
    public func smallCount(_ k: Int) -> Int { layers.reduce(0) { $0 + $1.smallCounts[k] } }

    /// Σ|w| over all layers.
    public var l1: Double { layers.reduce(0) { $0 + $1.l1 } }

    /// √(Σw²) over all layers.
    public var l2: Double { layers.reduce(0) { $0 + $1.l2 * $1.l2 }.squareRoot() }
}
