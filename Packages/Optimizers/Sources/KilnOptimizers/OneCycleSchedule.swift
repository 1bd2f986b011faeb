import Foundation
import KilnRegistry

/// `one-cycle(total=, pct_start=0.3, div=25, final_div=1e4)`: Smith's 1cycle policy (Smith &
/// Topin 2019; PyTorch's `OneCycleLR` with cosine annealing, without its momentum cycle),
/// **updated every step**. The base rate is the peak; `total` (epochs, default the run's
/// `--epochs`) is the cycle's length.
///
/// With T steps in all, start = base/div, end = start/final_div, e₁ = pct_start·T − 1 and
/// e₂ = T − 1, at step s:
///
///     s <= e₁:  lr = cosAnneal(start → base, s / e₁)
///     s >  e₁:  lr = cosAnneal(base → end, (s − e₁) / (e₂ − e₁))
///     cosAnneal(a → b, p) = b + (a − b) · (1 + cos(π · min(p, 1))) / 2
///
/// Why: the rising half explores with large steps (a regularizer in itself), the long
/// falling half settles into a minimum; it trains to a given accuracy in fewer epochs.
public final class OneCycleSchedule: LearningRateSchedule {
    /// The cycle's length in epochs (`total`), or nil for the run's `--epochs`.
    public let total: Double?
    /// The rising share of the cycle (`pct_start`, default 0.3).
    public let pctStart: Double
    /// The start rate is base / div (`div`, default 25).
    public let divFactor: Double
    /// The end rate is the start rate / final_div (`final_div`, default 1e4).
    public let finalDivFactor: Double
    private var clock = StepClock()

    /// total > 0 when given, pct_start in (0, 1), div and final_div >= 1 (a precondition;
    /// the registry checks specs first).
    public init(total: Double? = nil, pctStart: Double = 0.3, divFactor: Double = 25, finalDivFactor: Double = 1e4) {
        precondition(total.map { $0 > 0 && $0.isFinite } ?? true, "one-cycle: total must be > 0")
        precondition(pctStart > 0 && pctStart < 1, "one-cycle: pct_start must be in (0, 1)")
        precondition(divFactor >= 1 && divFactor.isFinite && finalDivFactor >= 1 && finalDivFactor.isFinite,
                     "one-cycle: div and final_div must be finite and >= 1")
        self.total = total
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
    }

    public var updatesEveryStep: Bool { true }
    public func begin(stepsPerEpoch: Int, epochs: Int) { clock.begin(stepsPerEpoch: stepsPerEpoch, epochs: epochs, totalEpochs: total) }

    public func learningRate(step: Int, stepsPerEpoch: Int, base: Float) -> Float {
        if !clock.isSet { clock.begin(stepsPerEpoch: stepsPerEpoch, epochs: 1, totalEpochs: total) }
        let peak = Double(base), start = peak / divFactor, end = start / finalDivFactor
        let s = Double(max(0, step))
        let e1 = max(1, pctStart * Double(clock.totalSteps) - 1), e2 = Double(clock.totalSteps - 1)
        func anneal(_ a: Double, _ b: Double, _ p: Double) -> Double { b + (a - b) * (1 + cos(Double.pi * min(max(p, 0), 1))) / 2 }
        if s <= e1 { return Float(anneal(start, peak, s / e1)) }
        return Float(anneal(peak, end, (s - e1) / max(1, e2 - e1)))
    }

    /// Per epoch (callers that do not step): as if one step were one epoch.
    public func learningRate(epoch: Int, base: Float) -> Float { learningRate(step: epoch, stepsPerEpoch: 1, base: base) }

    public func stateSnapshot() -> [String: Double] { clock.state }
    public func restore(_ state: [String: Double]) throws { try clock.restore(state, schedule: description) }

    public var description: String {
        var parts: [String] = []
        if let total { parts.append("total=\(Spec.format(total))") }
        if pctStart != 0.3 { parts.append("pct_start=\(Spec.format(pctStart))") }
        if divFactor != 25 { parts.append("div=\(Spec.format(divFactor))") }
        if finalDivFactor != 1e4 { parts.append("final_div=\(Spec.format(finalDivFactor))") }
        return parts.isEmpty ? "one-cycle" : "one-cycle(\(parts.joined(separator: ", ")))"
    }
}
