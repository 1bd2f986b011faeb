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

/// Mixes a seed with a stream number (SplitMix64 finalizer): independent seeds for the
/// layers of a model from one seed.
func mixSeed(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
    var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// Prints a `Float` spec argument so that it parses back to the same `Float`.
func specNumber(_ x: Float) -> String {
    if x == x.rounded(), abs(x) < 1e7 { return String(Int(x)) }
    return "\(x)"
}
