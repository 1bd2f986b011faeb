import Foundation
import KilnRegistry

/// `warmup-cosine(warmup=1, total=, min=0)`: linear warm-up over the first `warmup` epochs,
/// then cosine annealing from `base` to `min` at epoch `total`, **updated every step**
/// (see ``LearningRateSchedule``). `warmup` and `total` count epochs and may be fractional;
/// `total` defaults to the run's `--epochs`.
///
/// With S steps per epoch, W = round(warmup·S) and T = total·S steps, at step s:
///
///     s < W:   lr = base · (s + 1) / W
///     s >= W:  p = min(1, (s − W) / max(1, T − W)),   lr = min + (base − min) · (1 + cos(π p)) / 2
///
/// Why: a large rate at the first steps, before Adam's moments or BatchNorm's statistics
/// settle, can throw a network far off; the warm-up avoids it, and annealing every step
/// (rather than every epoch) ends on a smooth, small rate (Goyal et al. 2017, Loshchilov &
/// Hutter 2017).
public final class WarmupCosineSchedule: LearningRateSchedule {
    /// Warm-up length in epochs (`warmup`, default 1).
    public let warmup: Double
    /// The run's length in epochs (`total`), or nil for the run's `--epochs`.
    public let total: Double?
    /// The rate at the end (`min`, default 0).
    public let minimum: Float
    private var clock = StepClock()

    /// warmup >= 0, total > warmup when given, min >= 0 (a precondition; the registry
    /// checks specs first).
    public init(warmup: Double = 1, total: Double? = nil, minimum: Float = 0) {
        precondition(warmup >= 0 && warmup.isFinite, "warmup-cosine: warmup must be finite and >= 0")
        precondition(total.map { $0 > 0 && $0.isFinite && $0 > warmup } ?? true, "warmup-cosine: total must be > warmup")
        precondition(minimum >= 0 && minimum.isFinite, "warmup-cosine: min must be finite and >= 0")
        self.warmup = warmup
        self.total = total
        self.minimum = minimum
    }

    public var updatesEveryStep: Bool { true }
    public func begin(stepsPerEpoch: Int, epochs: Int) { clock.begin(stepsPerEpoch: stepsPerEpoch, epochs: epochs, totalEpochs: total) }

    public func learningRate(step: Int, stepsPerEpoch: Int, base: Float) -> Float {
        if !clock.isSet { clock.begin(stepsPerEpoch: stepsPerEpoch, epochs: 1, totalEpochs: total) }
        let s = max(0, step), w = clock.steps(warmup), t = clock.totalSteps
        if s < w { return Float(Double(base) * Double(s + 1) / Double(w)) }
        let p = min(1, Double(s - w) / Double(max(1, t - w)))
        let low = Double(minimum)
        return Float(low + (Double(base) - low) * (1 + cos(Double.pi * p)) / 2)
    }

    /// Per epoch (callers that do not step): the rate at the epoch's first step, as if one
    /// step were one epoch.
    public func learningRate(epoch: Int, base: Float) -> Float { learningRate(step: epoch, stepsPerEpoch: 1, base: base) }

    public func stateSnapshot() -> [String: Double] { clock.state }
    public func restore(_ state: [String: Double]) throws { try clock.restore(state, schedule: description) }

    public var description: String {
        var parts = ["warmup=\(Spec.format(warmup))"]
        if let total { parts.append("total=\(Spec.format(total))") }
        if minimum != 0 { parts.append("min=\(Spec.format(minimum))") }
        return "warmup-cosine(\(parts.joined(separator: ", ")))"
    }
}
