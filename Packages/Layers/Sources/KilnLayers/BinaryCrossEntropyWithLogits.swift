import KilnTensor

/// Binary cross-entropy on logits x with targets t in [0, 1], averaged over every element
/// (PyTorch's `BCEWithLogitsLoss()`), in the stable form
///
///     ℓ = max(x, 0) − x·t + log(1 + e^(−|x|)),   dℓ/dx = σ(x) − t,
///
/// which never exponentiates a positive number. L = (1/N) Σ ℓ, gradient (σ(x) − t)/N.
public struct BinaryCrossEntropyWithLogits: Sendable {
    /// The loss; it has no settings.
    public init() {}

    /// The mean loss over every element of `output` (logits) against `target` (same shape,
    /// values in [0, 1]), and its gradient (σ(x) − t)/N.
    public func lossAndGradient(output: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
        let (loss, gradient) = lossAndGradientInDouble(output: output, target: target)
        return (Float(loss), gradient)
    }

    /// As ``lossAndGradient(output:target:)`` with the loss in `Double`.
    public func lossAndGradientInDouble(output: Tensor, target: Tensor) -> (loss: Double, gradient: Tensor) {
        precondition(output.shape == target.shape, "BinaryCrossEntropyWithLogits: output \(output.shape) and target \(target.shape) differ")
        let count = output.count
        let scale = count > 0 ? 1 / Float(count) : 0
        var total = 0.0
        let gradient = Tensor(shape: output.shape) { g in
            output.withUnsafeBufferPointer { o in
                target.withUnsafeBufferPointer { t in
                    for i in 0..<count {
                        let x = Double(o[i]), y = Double(t[i])
                        total += Swift.max(x, 0) - x * y + logOnePlus(exponential(-Swift.abs(x)))
                        g[i] = scale * (logistic(o[i]) - t[i])
                    }
                }
            }
        }
        return (count > 0 ? total / Double(count) : 0, gradient)
    }
}
