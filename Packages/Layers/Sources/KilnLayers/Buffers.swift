import KilnTensor

/// The empty tensor (shape `[0]`) that `backward` returns when the input gradient is not
/// needed (``Layer/needsInputGradient`` is false); also the initial value of a layer's
/// kept buffers before its first call. Public so that a layer of your own written like
/// the built-ins (see the Layers README, "Write your own layer") can use it.
public let emptyGradient = Tensor(shape: [0], scalars: [])

extension Tensor {
    /// Makes `self` a tensor of `shape`, reallocating (zero-filled) only when the shape
    /// differs: the layers' output and gradient buffers live across calls this way (the
    /// built-ins' performance contract; see ``Layer``). After it, the contents are the
    /// last call's (or zeros): overwrite every element.
    @inline(__always)
    public mutating func ensureShape(_ shape: [Int]) {
        if self.shape != shape { self = Tensor.zeros(shape) }
    }
}


