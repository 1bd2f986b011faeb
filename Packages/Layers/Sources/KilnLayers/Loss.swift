import KilnTensor

/// A training loss on a classifier's outputs (logits `[n, classes]`) and integer labels.
///
/// The trainer calls ``shardLossAndGradient(logits:labels:batchCount:)`` on each shard of a
/// mini-batch: it returns the loss **summed** over the shard's rows (in `Double`) and
/// dL/dlogits of the whole batch's **mean** loss for those rows (each row's gradient
/// divided by `batchCount`). A row's result must not depend on the other rows, so that the
/// shards' gradients stacked are bit-identical to the whole batch's, whatever the split.
///
/// Built-ins, by name in ``losses``: `softmax-ce(label_smoothing=0)` (``SoftmaxCrossEntropy``),
/// `mse` (``MeanSquaredError`` on one-hot targets) and `bce`
/// (``BinaryCrossEntropyWithLogits``, one sigmoid per class on one-hot targets).
/// Whatever the training loss, evaluation reports softmax cross-entropy, so test losses
/// compare across runs.
public protocol Loss: Sendable, CustomStringConvertible {
    /// The loss summed over these rows and dL/dlogits of a batch of `batchCount` rows' mean.
    func shardLossAndGradient(logits: Tensor, labels: [Int], batchCount: Int) -> (lossSum: Double, gradient: Tensor)
}

extension Loss {
    /// The mean loss over the rows of `logits` and its gradient.
    public func lossAndGradient(logits: Tensor, labels: [Int]) -> (loss: Float, gradient: Tensor) {
        let n = logits.shape.first ?? 0
        let (total, gradient) = shardLossAndGradient(logits: logits, labels: labels, batchCount: n)
        return (n > 0 ? Float(total / Double(n)) : 0, gradient)
    }
}

/// Checks a classifier's logits and labels, the way every built-in loss does.
func checkClassification(_ logits: Tensor, _ labels: [Int], _ loss: String) -> (rows: Int, classes: Int) {
    precondition(logits.rank == 2, "\(loss): logits \(logits.shape) should be [batch, classes]")
    let (n, k) = (logits.shape[0], logits.shape[1])
    precondition(labels.count == n, "\(loss): \(labels.count) labels for \(n) rows of logits")
    precondition(n == 0 || k > 0, "\(loss): no classes")
    for y in labels { precondition(y >= 0 && y < k, "\(loss): label \(y) outside 0..<\(k)") }
    return (n, k)
}

/// The shared loop of the one-hot losses: for every output z_ij with target t_ij (1 for
/// the label's class, else 0), `element` gives (ℓ, dℓ/dz); row i adds Σ_j ℓ / K to the sum
/// and its gradient is dℓ/dz / (K · batchCount), the mean over all n·K outputs.
@inline(__always)
private func oneHotLoss(_ logits: Tensor, _ labels: [Int], batchCount: Int, name: String,
                        _ element: (_ z: Float, _ t: Float) -> (loss: Double, slope: Float)) -> (lossSum: Double, gradient: Tensor) {
    let (n, k) = checkClassification(logits, labels, name)
    var total = 0.0
    let scale = batchCount > 0 ? 1 / (Float(k) * Float(batchCount)) : 0
    let gradient = Tensor(shape: [n, k]) { g in
        logits.withUnsafeBufferPointer { zp in
            for i in 0..<n {
                var row = 0.0
                for j in 0..<k {
                    let (loss, slope) = element(zp[i * k + j], j == labels[i] ? 1 : 0)
                    row += loss
                    g[i * k + j] = scale * slope
                }
                total += row / Double(k)
            }
        }
    }
    return (total, gradient)
}

extension MeanSquaredError: Loss {
    public var description: String { "mse" }

    /// Squared error against one-hot targets t (t_y = 1, else 0), averaged over all n·K
    /// outputs as PyTorch's `MSELoss()` does: row i adds Σ_j (z_ij − t_ij)² / K to the sum,
    /// and its gradient is 2(z_ij − t_ij) / (K · batchCount).
    public func shardLossAndGradient(logits: Tensor, labels: [Int], batchCount: Int) -> (lossSum: Double, gradient: Tensor) {
        oneHotLoss(logits, labels, batchCount: batchCount, name: "mse") { z, t in
            let d = z - t
            return (Double(d) * Double(d), 2 * d)
        }
    }
}

extension BinaryCrossEntropyWithLogits: Loss {
    public var description: String { "bce" }

    /// One binary cross-entropy per class against one-hot targets, averaged over all n·K
    /// outputs (PyTorch's `BCEWithLogitsLoss()` on one-hot targets): row i adds
    /// Σ_j ℓ(z_ij, t_ij) / K, gradient (σ(z_ij) − t_ij) / (K · batchCount).
    public func shardLossAndGradient(logits: Tensor, labels: [Int], batchCount: Int) -> (lossSum: Double, gradient: Tensor) {
        oneHotLoss(logits, labels, batchCount: batchCount, name: "bce") { z, t in
            let x = Double(z)
            return (Swift.max(x, 0) - x * Double(t) + logOnePlus(exponential(-Swift.abs(x))), logistic(z) - t)
        }
    }
}
