/// The recommended scale factor ("gain") for the weights feeding an activation, so that
/// the activations keep their variance from layer to layer (PyTorch's `calculate_gain`).
///
/// | activation | gain |
/// | --- | --- |
/// | `linear`, `identity`, `sigmoid` | 1 |
/// | `tanh` | 5/3 |
/// | `relu` | √2 |
/// | `leaky-relu` | √(2 / (1 + slope²)) (slope defaults to 0.01, PyTorch's LeakyReLU default) |
/// | `selu` | 3/4 (PyTorch's value; SELU networks usually use `lecun-normal` instead) |
///
/// `slope` is read only for `leaky-relu`. Names are matched exactly; `leaky_relu` and
/// `leakyrelu` are accepted as spellings of `leaky-relu`.
///
/// ```swift
/// let g = try gain(for: "tanh")                 // 5/3
/// let w = XavierUniform(gain: g)
/// ```
///
/// - Throws: ``InitializerError`` naming the valid activations for an unknown name, or
///   for a non-finite slope.
public func gain(for activation: String, slope: Float = 0.01) throws(InitializerError) -> Float {
    switch activation {
    case "linear", "identity", "sigmoid":
        return 1
    case "tanh":
        return 5.0 / 3.0
    case "relu":
        return Float(2).squareRoot()
    case "leaky-relu", "leaky_relu", "leakyrelu":
        guard slope.isFinite else {
            throw InitializerError("gain: leaky-relu slope must be finite, got \(slope)")
        }
        return (2 / (1 + slope * slope)).squareRoot()
    case "selu":
        return 0.75
    default:
        throw InitializerError(
            "gain: unknown activation '\(activation)'; valid: \(gainActivations.joined(separator: ", "))")
    }
}

/// The activation names ``gain(for:slope:)`` knows (canonical spellings).
public let gainActivations: [String] = ["linear", "identity", "sigmoid", "tanh", "relu", "leaky-relu", "selu"]
