import Foundation
import KilnLayers
import KilnTensor

/// Test-time augmentation (`--tta none|flip|flip-shift`): how many views of each example a
/// prediction looks at.
///
/// - `none` (the default): one view; the class probabilities are the softmax of the logits
///   and the evaluation loss their softmax cross-entropy.
/// - `flip`: the example and its mirror image (the width axis reversed). The prediction is
///   the mean of the two views' probabilities, p̄ = ½·(softmax(f(x)) + softmax(f(mirror(x)))),
///   and the evaluation loss is the cross-entropy of that mean, −(1/n) Σ log p̄(yᵢ | xᵢ) (a
///   zero probability counts as the smallest positive Float, as for an ensemble's mean).
/// - `flip-shift`: ten views, the example and its mirror image, each as it is and moved by
///   one pixel left, right, up and down (the pixels moved in are 0, as `random-crop`'s
///   constant padding); p̄ is the mean of the ten softmaxes. It suits models trained with
///   random crops, which have seen such shifts; it costs ten forward passes per example.
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
    /// Ten views, the example and its mirror image, each unmoved and moved one pixel in the
    /// four directions: the mean of their probabilities.
    case flipShift = "flip-shift"

    public var description: String { rawValue }

    /// Whether the mode applies to examples of `inputShape` (`flip` and `flip-shift` need
    /// `C × H × W`).
    public func fits(inputShape: [Int]) -> Bool { self == .none || inputShape.count == 3 }

    /// The views, in the order their probabilities are summed: (mirror the width, move
    /// right by dx, move down by dy).
    var views: [(mirror: Bool, dx: Int, dy: Int)] {
        switch self {
        case .none: [(false, 0, 0)]
        case .flip: [(false, 0, 0), (true, 0, 0)]
        case .flipShift:
            [false, true].flatMap { mirror in
                [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)].map { (mirror, $0.0, $0.1) }
            }
        }
    }

    /// The class probabilities of `model` (evaluation mode) for the batch `x`: the mean
    /// over the views, summed in the order the type's documentation lists them and divided
    /// by their count.
    public func probabilities(of model: Sequential, _ x: Tensor) -> Tensor {
        let softmax = SoftmaxCrossEntropy()
        let views = views
        var p = softmax.probabilities(model.forward(x, training: false))
        guard views.count > 1 else { return p }
        let mirrored = x.mirroredAlongWidth()
        for view in views.dropFirst() {
            let source = view.mirror ? mirrored : x
            let input = view.dx == 0 && view.dy == 0 ? source : source.shifted(right: view.dx, down: view.dy)
            let q = softmax.probabilities(model.forward(input, training: false))
            p.withUnsafeMutableBufferPointer { a in
                q.withUnsafeBufferPointer { b in
                    for i in 0..<a.count { a[i] += b[i] }
                }
            }
        }
        let scale = 1 / Float(views.count)
        p.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count { a[i] *= scale }
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

extension Tensor {
    /// A batch of images `[n, C, H, W]` moved `right` pixels to the right and `down` pixels
    /// down (negative: left, up); the pixels moved in are 0.
    func shifted(right: Int, down: Int) -> Tensor {
        precondition(rank == 4, "shifted: \(shape) is not a batch of CxHxW images")
        let (h, w) = (shape[2], shape[3])
        return Tensor(shape: shape) { out in
            out.update(repeating: 0)
            guard Swift.abs(right) < w, Swift.abs(down) < h else { return }
            let width = w - Swift.abs(right)
            withUnsafeBufferPointer { x in
                for plane in 0..<(count / (h * w)) {
                    let from = x.baseAddress! + plane * h * w, to = out.baseAddress! + plane * h * w
                    for y in Swift.max(0, down)..<Swift.min(h, h + down) {
                        (to + y * w + Swift.max(0, right)).update(from: from + (y - down) * w + Swift.max(0, -right), count: width)
                    }
                }
            }
        }
    }
}
