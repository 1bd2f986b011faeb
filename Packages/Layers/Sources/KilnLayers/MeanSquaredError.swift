import KilnTensor

/// Mean squared error, averaged over every element (PyTorch's `MSELoss()`):
///
///     L = (1/N) Σ (o − t)²,   dL/do = 2(o − t)/N,   N = number of elements.
///
/// The sum is accumulated in `Double`. `output` and `target` must have the same shape.
public struct MeanSquaredError: Sendable {
    /// The loss; it has no settings.
    public init() {}

    /// The mean of (o − t)² over every element, and its gradient 2(o − t)/N.
    public func lossAndGradient(output: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
        let (loss, gradient) = lossAndGradientInDouble(output: output, target: target)
        return (Float(loss), gradient)
    }

    /// As ``lossAndGradient(output:target:)`` with the loss in `Double`.
    public func lossAndGradientInDouble(output: Tensor, target: Tensor) -> (loss: Double, gradient: Tensor) {
        precondition(output.shape == target.shape, "MeanSquaredError: output \(output.shape) and target \(target.shape) differ")
        let count = output.count
        let scale = count > 0 ? 2 / Float(count) : 0
        var total = 0.0
        let gradient = Tensor(shape: output.shape) { g in
            output.withUnsafeBufferPointer { o in
                target.withUnsafeBufferPointer { t in
                    for i in 0..<count {
                        let d = o[i] - t[i]
                        total += Double(d) * Double(d)
                        g[i] = scale * d
                    }
                }
            }
        }
        return (count > 0 ? total / Double(count) : 0, gradient)
    }
}
