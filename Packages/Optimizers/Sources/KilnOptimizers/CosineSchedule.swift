import Foundation

/// `cosine(total, min=0, warmup=0)`: linear warm-up, then cosine annealing from `base` down
/// to `min` at epoch `total` (SGDR without restarts).
///
///     epoch < warmup:          lr = base · (epoch + 1) / (warmup + 1)
///     warmup <= epoch:         p = min(1, (epoch − warmup) / max(1, total − warmup))
///                              lr = min + (base − min) · (1 + cos(π p)) / 2
///
/// So warm-up climbs towards `base` without reaching it, epoch `warmup` trains at `base`,
/// and epochs >= `total` train at `min`. total >= 1, 0 <= warmup < total, min >= 0.
public final class CosineSchedule: LearningRateSchedule {
    /// The epoch at which the rate reaches `minimum` and stays (spec `total`, at least 1).
    public let total: Int
    /// The final learning rate (spec `min`, default 0).
    public let minimum: Float
    /// The epochs of linear warm-up before the cosine starts (spec `warmup`, default 0).
    public let warmup: Int
    /// A cosine schedule over `total` epochs, after `warmup` epochs of linear warm-up.
    public init(total: Int, minimum: Float = 0, warmup: Int = 0) {
        precondition(total >= 1, "cosine: total must be >= 1")
        precondition(warmup >= 0 && warmup < total, "cosine: warmup must be in 0..<total")
        precondition(minimum.isFinite && minimum >= 0, "cosine: min must be finite and >= 0")
        self.total = total
        self.minimum = minimum
        self.warmup = warmup
    }
    public func learningRate(epoch: Int, base: Float) -> Float {
        let e = max(epoch, 0)
        if e < warmup { return Float(Double(base) * Double(e + 1) / Double(warmup + 1)) }
        let p = min(1, Double(e - warmup) / Double(max(1, total - warmup)))
        let low = Double(minimum)
        return Float(low + (Double(base) - low) * (1 + cos(Double.pi * p)) / 2)
    }
    public var description: String {
        var s = SpecText("cosine")
        s.add("total", total)
        s.add("min", minimum, default: 0)
        s.add("warmup", warmup, default: 0)
        return s.text
    }
}
