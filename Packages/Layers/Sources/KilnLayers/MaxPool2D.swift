import KilnTensor

/// `maxpool(size, stride=size)` [aliases `max-pool`, `maxpool2d`]: the maximum of each
/// `size x size` window per channel (no padding; output ⌊(in − size)/stride⌋ + 1).
///
/// Backward routes each output gradient to the input element that was the maximum
/// (the first one in row-major order on ties); overlapping windows (stride < size) add up.
public final class MaxPool2D: Layer {
    public let size: Int
    public let stride: Int
    public var needsInputGradient = true

    private var geometry: PoolGeometry
    private var batch = 0
    private var output = emptyGradient
    private var inputGradient = emptyGradient
    /// For every output element, the flat index of its maximum within the batch input.
    private var argmax: [Int32] = []

    public init(size: Int, stride: Int? = nil) {
        precondition(size > 0 && (stride ?? 1) > 0, "maxpool: size and stride must be positive")
        self.size = size
        self.stride = stride ?? size
        geometry = PoolGeometry(size: size, stride: stride ?? size)
    }

    public var description: String { "maxpool(\(size), stride=\(stride))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        try geometry.build(inputShape: inputShape, layer: description)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let g = geometry
        precondition(input.rank == 4 && Array(input.shape.dropFirst()) == [g.channels, g.height, g.width],
                     "\(description): input \(input.shape) should be [batch, \(g.channels), \(g.height), \(g.width)]")
        batch = input.shape[0]
        precondition(input.count <= Int(Int32.max), "maxpool: batch too large")
        output.ensureShape([batch, g.channels, g.outHeight, g.outWidth])
        let outCount = output.count
        if argmax.count != outCount { argmax = [Int32](repeating: 0, count: outCount) }
        let (k, s, h, w, oh, ow) = (size, stride, g.height, g.width, g.outHeight, g.outWidth)
        let planes = batch * g.channels
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { out in
                argmax.withUnsafeMutableBufferPointer { am in
                    for plane in 0..<planes {
                        let x = xp.baseAddress! + plane * h * w
                        let base = plane * h * w
                        for y in 0..<oh {
                            for xo in 0..<ow {
                                var best = -Float.infinity
                                var bestIndex = (y * s) * w + xo * s
                                for dy in 0..<k {
                                    let row = (y * s + dy) * w + xo * s
                                    for dx in 0..<k where x[row + dx] > best || x[row + dx].isNaN {
                                        best = x[row + dx]
                                        bestIndex = row + dx
                                        if best.isNaN { break }
                                    }
                                }
                                let o = (plane * oh + y) * ow + xo
                                out[o] = best
                                am[o] = Int32(base + bestIndex)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        let g = geometry
        precondition(outputGradient.shape == [batch, g.channels, g.outHeight, g.outWidth],
                     "\(description): gradient \(outputGradient.shape) should be \([batch, g.channels, g.outHeight, g.outWidth])")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape([batch, g.channels, g.height, g.width])
        outputGradient.withUnsafeBufferPointer { gp in
            argmax.withUnsafeBufferPointer { am in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    dx.update(repeating: 0)
                    for o in 0..<gp.count { dx[Int(am[o])] += gp[o] }
                }
            }
        }
        return inputGradient
    }
}
