/// `reduce-on-plateau(factor=0.1, patience=10, min=0, threshold=1e-4)`: multiplies the rate
/// by `factor` when the observed metric (lower is better) has not improved for more than
/// `patience` epochs (torch's ReduceLROnPlateau, mode "min", relative threshold).
///
/// After each epoch, `observe(metric:)`: the metric improves when
/// metric < best · (1 − threshold) (for best > 0; best − |best|·threshold in general).
/// An improvement resets the count of bad epochs; otherwise it grows, and when it exceeds
/// `patience` the scale is multiplied by `factor` and the count restarts. A NaN metric is
/// never an improvement. lr = max(base · scale, min).
///
/// State: `best`, `bad_epochs`, `scale`.
public final class ReduceOnPlateauSchedule: LearningRateSchedule {
    /// The factor the rate is multiplied by on a plateau (spec `factor`, default 0.1).
    public let factor: Float
    /// How many epochs without improvement are tolerated before a reduction (spec `patience`,
    /// default 10).
    public let patience: Int
    /// The lowest learning rate (spec `min`, default 0).
    public let minimum: Float
    /// The relative improvement that counts: metric < best · (1 − threshold) (spec `threshold`,
    /// default 1e-4).
    public let threshold: Float
    /// The best metric observed so far (infinity before the first).
    public private(set) var best = Double.infinity
    /// Epochs since the last improvement or reduction.
    public private(set) var badEpochs = 0
    /// The product of the reductions so far; lr = max(base · scale, min).
    public private(set) var scale: Double = 1

    /// A plateau schedule with torch's defaults; call `observe(metric:)` after every epoch.
    public init(factor: Float = 0.1, patience: Int = 10, minimum: Float = 0, threshold: Float = 1e-4) {
        precondition(factor.isFinite && factor > 0 && factor < 1, "reduce-on-plateau: factor must be in (0, 1)")
        precondition(patience >= 0, "reduce-on-plateau: patience must be >= 0")
        precondition(minimum.isFinite && minimum >= 0, "reduce-on-plateau: min must be finite and >= 0")
        precondition(threshold.isFinite && threshold >= 0 && threshold < 1, "reduce-on-plateau: threshold must be in [0, 1)")
        self.factor = factor
        self.patience = patience
        self.minimum = minimum
        self.threshold = threshold
    }

    public func learningRate(epoch: Int, base: Float) -> Float {
        max(Float(Double(base) * scale), minimum)
    }

    /// True: the dev loss (or the training loss without a dev set) sets the rate.
    public var observesMetric: Bool { true }

    public func observe(metric: Double) {
        if metric < best - abs(best) * Double(threshold) || (best == .infinity && metric < best) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
            if badEpochs > patience {
                scale *= Double(factor)
                badEpochs = 0
            }
        }
    }

    public func stateSnapshot() -> [String: Double] {
        ["best": best, "bad_epochs": Double(badEpochs), "scale": scale]
    }

    public func restore(_ state: [String: Double]) throws {
        let keys = ["bad_epochs", "best", "scale"]
        guard state.keys.sorted() == keys else {
            throw OptimizerStateError("cannot restore \(description): expected keys \(keys.joined(separator: ", ")), got \(state.keys.sorted().joined(separator: ", "))")
        }
        let bad = state["bad_epochs"]!, s = state["scale"]!, b = state["best"]!
        guard bad >= 0, bad == bad.rounded(), bad < 1e9 else {
            throw OptimizerStateError("cannot restore \(description): bad_epochs must be an integer >= 0, got \(bad)")
        }
        guard s.isFinite, s > 0, s <= 1 else {
            throw OptimizerStateError("cannot restore \(description): scale must be in (0, 1], got \(s)")
        }
        guard !b.isNaN else { throw OptimizerStateError("cannot restore \(description): best must not be nan") }
        best = b
        badEpochs = Int(bad)
        scale = s
    }

    public var description: String {
        var s = SpecText("reduce-on-plateau")
        s.add("factor", factor, default: 0.1)
        s.add("patience", patience, default: 10)
        s.add("min", minimum, default: 0)
        s.add("threshold", threshold, default: 1e-4)
        return s.text
    }
}
