import KilnTensor

/// `softmax`: y_j = e^(x_j − max x) / Σ_k e^(x_k − max x) along the last axis (the
/// classes of `[batch, classes]`). Backward: dx = y ⊙ (g − Σ_j g_j·y_j) per row.
///
/// For training a classifier, feed logits to ``SoftmaxCrossEntropy`` instead: it fuses
/// softmax and the log-loss, which is both faster and exact where y underflows.
public final class Softmax: Layer {
    public var needsInputGradient = true
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// The softmax layer over each example's features; it has no settings.
    public init() {}

    public var description: String { "softmax" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard let last = inputShape.last, last > 0 else {
            throw LayerError(layer: description, message: "input shape \(inputShape) has no classes axis")
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.ensureShape(input.shape)
        let width = input.shape.last ?? 1
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                softmaxRows(xp.baseAddress!, yp.baseAddress!, rows: xp.count / width, width: width)
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "softmax: gradient \(outputGradient.shape) should be \(output.shape)")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        let width = output.shape.last ?? 1
        outputGradient.withUnsafeBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for r in 0..<(gp.count / width) {
                        let base = r * width
                        var dot: Float = 0
                        for j in 0..<width { dot += gp[base + j] * yp[base + j] }
                        for j in 0..<width { dx[base + j] = yp[base + j] * (gp[base + j] - dot) }
                    }
                }
            }
        }
        return inputGradient
    }
}

/// Row-wise softmax of `rows x width` values, shifted by each row's maximum.
func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
    for r in 0..<rows {
        let xr = x + r * width, yr = y + r * width
        var m = -Float.infinity
        for j in 0..<width where xr[j] > m { m = xr[j] }
        if !m.isFinite { m = 0 }  // all -inf (or +inf/NaN): let IEEE arithmetic show it
        var sum: Float = 0
        for j in 0..<width {
            let e = exponential(xr[j] - m)
            yr[j] = e
            sum += e
        }
        let inv = 1 / sum
        for j in 0..<width { yr[j] *= inv }
    }
}
