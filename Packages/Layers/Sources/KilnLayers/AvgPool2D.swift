import KilnTensor

/// `avgpool(size, stride=size)` [aliases `avg-pool`, `avgpool2d`]: the mean of each
/// `size x size` window per channel (no padding; output ⌊(in − size)/stride⌋ + 1).
///
/// Backward spreads each output gradient evenly, g / size², over its window.
public final class AvgPool2D: Layer {
    /// The window's side in pixels.
    public let size: Int
    /// The distance between windows (default: `size`, windows that do not overlap).
    public let stride: Int
    public var needsInputGradient = true

    private var geometry: PoolGeometry
    private var batch = 0
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// An average pool of `size` × `size` windows every `stride` pixels (default `size`).
    public init(size: Int, stride: Int? = nil) {
        precondition(size > 0 && (stride ?? 1) > 0, "avgpool: size and stride must be positive")
        self.size = size
        self.stride = stride ?? size
        geometry = PoolGeometry(size: size, stride: stride ?? size)
    }

    public var description: String { "avgpool(\(size), stride=\(stride))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        try geometry.build(inputShape: inputShape, layer: description)
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let g = geometry
        precondition(input.rank == 4 && Array(input.shape.dropFirst()) == [g.channels, g.height, g.width],
                     "\(description): input \(input.shape) should be [batch, \(g.channels), \(g.height), \(g.width)]")
        batch = input.shape[0]
        output.ensureShape([batch, g.channels, g.outHeight, g.outWidth])
        let (k, s, h, w, oh, ow) = (size, stride, g.height, g.width, g.outHeight, g.outWidth)
        let scale = 1 / Float(k * k)
        let planes = batch * g.channels
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { out in
                for plane in 0..<planes {
                    let x = xp.baseAddress! + plane * h * w
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            var sum: Float = 0
                            for dy in 0..<k {
                                let row = x + (y * s + dy) * w + xo * s
                                for dx in 0..<k { sum += row[dx] }
                            }
                            out[(plane * oh + y) * ow + xo] = sum * scale
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
        let (k, s, h, w, oh, ow) = (size, stride, g.height, g.width, g.outHeight, g.outWidth)
        let scale = 1 / Float(k * k)
        let planes = batch * g.channels
        outputGradient.withUnsafeBufferPointer { gp in
            inputGradient.withUnsafeMutableBufferPointer { dxp in
                dxp.update(repeating: 0)
                for plane in 0..<planes {
                    let dx = dxp.baseAddress! + plane * h * w
                    for y in 0..<oh {
                        for xo in 0..<ow {
                            let v = gp[(plane * oh + y) * ow + xo] * scale
                            for dy in 0..<k {
                                let row = dx + (y * s + dy) * w + xo * s
                                for d in 0..<k { row[d] += v }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
