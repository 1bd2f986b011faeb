import KilnTensor

/// Makes the initial values of a weight tensor.
///
/// Implementation requirements:
/// - Return a tensor of exactly `shape`.
/// - Draw randomness only from `rng`, so the same seed gives the same weights.
/// - Read the fan from `fan`, never from the shape (a conv kernel's fan is kh·kw·channels).
/// - `description` prints a spec that the registry turns back into an equal initializer.
///
/// ``checkInitializerConformance(_:registry:seed:)`` checks these on any initializer,
/// including your own; ``initializers`` lists the built-ins by name.
public protocol Initializer: CustomStringConvertible, Sendable {
    /// A tensor of `shape` with this initializer's distribution, scaled by `fan` where the
    /// formula says so, drawn only from `rng`.
    func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor
}

/// The number of inputs and outputs a weight connects, which scale-aware initializers use.
///
/// - Dense `[in, out]` weights: fan-in = in, fan-out = out.
/// - Conv kernels with `c_in` input and `c_out` output channels of size kh x kw:
///   fan-in = kh·kw·c_in, fan-out = kh·kw·c_out (PyTorch's and Keras' convention).
public struct Fan: Sendable, Equatable {
    /// The inputs each output unit sums over (dense: `in`; conv: kh·kw·c_in).
    public var fanIn: Int
    /// The outputs each input feeds (dense: `out`; conv: kh·kw·c_out).
    public var fanOut: Int

    /// A fan of `fanIn` inputs and `fanOut` outputs.
    public init(fanIn: Int, fanOut: Int) {
        self.fanIn = fanIn
        self.fanOut = fanOut
    }

    /// The fan of a dense layer's `[inputs, outputs]` weight.
    public static func dense(inputs: Int, outputs: Int) -> Fan { Fan(fanIn: inputs, fanOut: outputs) }

    /// The fan of a conv kernel.
    public static func conv(kernelHeight: Int, kernelWidth: Int, inputChannels: Int, outputChannels: Int) -> Fan {
        let receptive = kernelHeight * kernelWidth
        return Fan(fanIn: receptive * inputChannels, fanOut: receptive * outputChannels)
    }

    /// (fanIn + fanOut) / 2, used by Xavier/Glorot and variance scaling with `fan-avg`.
    public var average: Float { Float(fanIn + fanOut) / 2 }
}
