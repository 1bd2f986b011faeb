import Foundation
import KilnLayers
import KilnTensor

/// Test-time augmentation (`--tta none|flip`): how many views of each example a prediction
/// looks at.
///
/// - `none` (the default): one view; the class probabilities are the softmax of the logits
///   and the evaluation loss their softmax cross-entropy.
/// - `flip`: the example and its mirror image (the width axis reversed). The prediction is
///   the mean of the two views' probabilities, p̄ = ½·(softmax(f(x)) + softmax(f(mirror(x)))),
///   and the evaluation loss is the cross-entropy of that mean, −(1/n) Σ log p̄(yᵢ | xᵢ) (a
///   zero probability counts as the smallest positive Float, as for an ensemble's mean).
///
/// Why: a model trained with horizontal flips has learned that both views are the same
/// class, but it errs on them differently, so their mean errs less often, like a small
/// ensemble that costs one more forward pass per example and no training. It applies to
/// image inputs (`C × H × W`) only, and only suits data whose mirror image keeps the class
/// (clothes, not digits or text).
public enum TestTimeAugmentation: String, CaseIterable, Sendable, CustomStringConvertible {
    /// One view: the softmax of the logits.
    case none
    /// Two views, the example and its mirror image: the mean of their probabilities.
    case flip

    public var description: String { rawValue }

    /// Whether the mode applies to examples of `inputShape` (`flip` needs `C × H × W`).
    public func fits(inputShape: [Int]) -> Bool { self == .none || inputShape.count == 3 }

    /// The class probabilities of `model` (evaluation mode) for the batch `x`, the mean over
    /// the views in a fixed order (the example, then its mirror image).
    public func probabilities(of model: Sequential, _ x: Tensor) -> Tensor {
        let softmax = SoftmaxCrossEntropy()
        var p = softmax.probabilities(model.forward(x, training: false))
        guard self == .flip else { return p }
        let mirrored = softmax.probabilities(model.forward(x.mirroredAlongWidth(), training: false))
        p.withUnsafeMutableBufferPointer { a in
            mirrored.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] = 0.5 * (a[i] + b[i]) }
            }
        }
        return p
    }

    /// −Σ log p[i][labels[i]] over the rows of `p` (a zero probability counts as the smallest
    /// positive Float).
    static func crossEntropySum(_ p: Tensor, labels: [Int]) -> Double {
        let k = p.shape[1]
        return p.withUnsafeBufferPointer { q in
            var sum = 0.0
            for (i, label) in labels.enumerated() {
                sum -= log(Double(max(q[i * k + label], Float.leastNonzeroMagnitude)))
            }
            return sum
        }
    }
}

extension Tensor {
    /// A batch of images `[n, C, H, W]` with every row reversed: each image's mirror image.
    func mirroredAlongWidth() -> Tensor {
        precondition(rank == 4, "mirroredAlongWidth: \(shape) is not a batch of CxHxW images")
        let w = shape[3]
        return Tensor(shape: shape) { out in
            withUnsafeBufferPointer { x in
                for row in 0..<(w > 0 ? count / w : 0) {
                    let from = x.baseAddress! + row * w, to = out.baseAddress! + row * w
                    for j in 0..<w { to[j] = from[w - 1 - j] }
                }
            }
        }
    }
}
