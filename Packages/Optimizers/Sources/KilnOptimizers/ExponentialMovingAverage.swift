/// An exponentially weighted moving average with bias correction (the course notes'
/// 指数加权平均): v_t = β v_{t−1} + (1 − β) x_t from v_0 = 0, and the corrected estimate
/// v_t / (1 − βᵗ), which removes the pull towards 0 of the first values.
///
/// ```swift
/// var loss = ExponentialMovingAverage(beta: 0.9)   // ≈ the last 1/(1−β) = 10 values
/// for x in batchLosses { loss.update(x) }
/// print(loss.corrected)
/// ```
public struct ExponentialMovingAverage: Sendable, Equatable {
    /// The weight of the past, in [0, 1).
    public let beta: Double
    /// v_t, the uncorrected average (0 before any update).
    public private(set) var value: Double = 0
    /// t, the number of updates.
    public private(set) var count = 0
    /// βᵗ, kept as a product so the correction costs one multiply per update.
    private var betaPower: Double = 1

    /// An empty average with weight `beta` on the past (in [0, 1)); it averages roughly the
    /// last 1/(1 − β) values.
    public init(beta: Double) {
        precondition(beta >= 0 && beta < 1, "ExponentialMovingAverage: beta must be in [0, 1), got \(beta)")
        self.beta = beta
    }

    /// Adds `x` and returns the bias-corrected average.
    @discardableResult
    public mutating func update(_ x: Double) -> Double {
        value = beta * value + (1 - beta) * x
        count += 1
        betaPower *= beta
        return corrected
    }

    /// v_t / (1 − βᵗ): the bias-corrected average (NaN before any update).
    public var corrected: Double { count == 0 ? .nan : value / (1 - betaPower) }
}
