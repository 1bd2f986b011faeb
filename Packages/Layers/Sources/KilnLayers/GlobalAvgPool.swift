import KilnTensor

/// `global-avgpool` [aliases `global-avg-pool`, `gap`]: the mean of each channel over all
/// positions, `[c, h, w]` → `[c]`,
///
///     y_c = (1/(h·w)) Σ_{i,j} x_{c,i,j},      dL/dx_{c,i,j} = g_c / (h·w).
///
/// ResNet's head: it replaces the large dense layer on flattened features, so the network
/// has few parameters there and takes any input size.
public final class GlobalAvgPool: Layer {
    public var needsInputGradient = true
    private var channels = 0
    private var positions = 0
    private var inputShape: [Int] = []
    private var batch = 0
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// An unbuilt layer; `build` takes CxHxW inputs.
    public init() {}

    public var description: String { "global-avgpool" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: description, message: "needs CxHxW images, got input \(describeShape(inputShape))")
        }
        self.inputShape = inputShape
        channels = inputShape[0]
        positions = inputShape[1] * inputShape[2]
        return [channels]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(Array(input.shape.dropFirst()) == inputShape, "\(description): input \(input.shape) should be [batch] + \(inputShape)")
        batch = input.shape[0]
        output.ensureShape([batch, channels])
        let (p, scale) = (positions, 1 / Float(positions))
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for plane in 0..<yp.count { yp[plane] = vectorSum(xp.baseAddress! + plane * p, p) * scale }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == [batch, channels], "\(description): gradient \(outputGradient.shape) should be [\(batch), \(channels)]")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape([batch] + inputShape)
        let (p, scale) = (positions, 1 / Float(positions))
        outputGradient.withUnsafeBufferPointer { gp in
            inputGradient.withUnsafeMutableBufferPointer { dx in
                for plane in 0..<gp.count { (dx.baseAddress! + plane * p).update(repeating: gp[plane] * scale, count: p) }
            }
        }
        return inputGradient
    }
}
