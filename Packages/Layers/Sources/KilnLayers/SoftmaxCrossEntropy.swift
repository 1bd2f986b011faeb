import KilnTensor

/// Softmax cross-entropy on logits, fused with log-sum-exp, mean over the batch:
///
///     L = (1/n) Σ_i [ log Σ_j e^(z_ij) − z_i,y_i ],   dL/dz_ij = (softmax(z_i)_j − [j = y_i]) / n
///
/// Subtracting each row's maximum before exponentiating keeps every exponential ≤ 1,
/// so large logits neither overflow nor lose the loss (the course notes' softmax
/// regression, PyTorch's `CrossEntropyLoss` on logits). The loss is summed in `Double`.
/// Labels must lie in `0..<classes` (a precondition: validate data labels when loading).
///
/// `softmax-ce(label_smoothing=ε)` trains against the smoothed target q = (1 − ε)·onehot(y)
/// + ε/K instead of the one-hot label (Szegedy et al. 2016; PyTorch's `label_smoothing`):
///
///     L = (1/n) Σ_i [ log Σ_j e^(z_ij) − Σ_j q_ij z_ij ],   dL/dz_ij = (softmax(z_i)_j − q_ij) / n
///
/// which stops the logits growing without bound on examples already right. ε = 0 (the
/// default) is the plain loss, computed exactly as before.
public struct SoftmaxCrossEntropy: Loss {
    /// ε in [0, 1): the share of the target spread evenly over the classes.
    public let labelSmoothing: Float

    /// The loss with label smoothing ε in [0, 1) (default 0: the plain loss).
    public init(labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "softmax-ce: label_smoothing must be in [0, 1)")
        self.labelSmoothing = labelSmoothing
    }

    public var description: String {
        // Float's own description is its shortest round-trip form (`0.1`).
        labelSmoothing == 0 ? "softmax-ce" : "softmax-ce(label_smoothing=\(labelSmoothing))"
    }

    /// As ``Loss/lossAndGradient(logits:labels:)`` with the loss in `Double` (the gradient checker
    /// uses it so that float32 rounding of the final sum does not blur differences).
    public func lossAndGradientInDouble(logits: Tensor, labels: [Int]) -> (loss: Double, gradient: Tensor) {
        let n = logits.shape.first ?? 0
        let (total, gradient) = shardLossAndGradient(logits: logits, labels: labels, batchCount: n)
        return (n > 0 ? total / Double(n) : 0, gradient)
    }

    /// One shard of a batch of `batchCount` rows: the loss summed over these rows (in
    /// `Double`) and dL/dlogits of the whole batch's mean loss for these rows, i.e. each
    /// row's gradient divided by `batchCount`. Every row is computed exactly as
    /// ``Loss/lossAndGradient(logits:labels:)`` computes it for the whole batch, so the shards'
    /// gradients stacked are bit-identical to the whole batch's (the data-parallel trainer
    /// relies on it).
    public func shardLossAndGradient(logits: Tensor, labels: [Int], batchCount: Int) -> (lossSum: Double, gradient: Tensor) {
        precondition(logits.rank == 2, "SoftmaxCrossEntropy: logits \(logits.shape) should be [batch, classes]")
        let (n, k) = (logits.shape[0], logits.shape[1])
        precondition(labels.count == n, "SoftmaxCrossEntropy: \(labels.count) labels for \(n) rows of logits")
        precondition(n == 0 || k > 0, "SoftmaxCrossEntropy: no classes")
        var total = 0.0
        let invN = batchCount > 0 ? 1 / Float(batchCount) : 0
        let epsilon = labelSmoothing, spread = labelSmoothing / Float(max(k, 1))
        let gradient = Tensor(shape: [n, k]) { g in
            logits.withUnsafeBufferPointer { zp in
                for i in 0..<n {
                    let y = labels[i]
                    precondition(y >= 0 && y < k, "SoftmaxCrossEntropy: label \(y) outside 0..<\(k)")
                    let z = zp.baseAddress! + i * k, gi = g.baseAddress! + i * k
                    var m = -Float.infinity
                    for j in 0..<k where z[j] > m { m = z[j] }
                    if !m.isFinite { m = 0 }
                    var sum: Float = 0
                    for j in 0..<k {
                        let e = exponential(z[j] - m)
                        gi[j] = e
                        sum += e
                    }
                    let scale = invN / sum
                    for j in 0..<k { gi[j] *= scale }
                    if epsilon == 0 {
                        total += logarithm(Double(sum)) + Double(m) - Double(z[y])
                        gi[y] -= invN
                    } else {
                        // Σ_j q_j z_j with q = (1 − ε)·onehot + ε/K; Σ_j q_j = 1.
                        var targetDot = 0.0
                        for j in 0..<k { targetDot += Double(spread) * Double(z[j]) }
                        targetDot += Double(1 - epsilon) * Double(z[y])
                        total += logarithm(Double(sum)) + Double(m) - targetDot
                        for j in 0..<k { gi[j] -= spread * invN }
                        gi[y] -= (1 - epsilon) * invN
                    }
                }
            }
        }
        return (total, gradient)
    }

    /// The class probabilities softmax(logits) per row.
    public func probabilities(_ logits: Tensor) -> Tensor {
        precondition(logits.rank == 2, "SoftmaxCrossEntropy: logits \(logits.shape) should be [batch, classes]")
        let k = logits.shape[1]
        return Tensor(shape: logits.shape) { out in
            guard k > 0, out.count > 0 else { return }
            logits.withUnsafeBufferPointer { zp in
                softmaxRows(zp.baseAddress!, out.baseAddress!, rows: out.count / k, width: k)
            }
        }
    }
}
