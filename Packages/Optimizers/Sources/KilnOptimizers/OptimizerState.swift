import KilnTensor

/// A snapshot of an optimizer's state, made of named tensors and named scalars.
///
/// Keys are `"<parameter name>.<slot>"`: `"0.weight.exp_avg"` is Adam's first moment of
/// the parameter named `0.weight`, `"0.weight.step"` its step count. Optimizer-wide scalars
/// have plain names (`"learning_rate"`). The format maps directly onto a safetensors file
/// (tensors) plus its JSON metadata (scalars), which is how checkpoints store it.
public struct OptimizerState: Sendable, Equatable {
    /// Per-element state by key `"<parameter>.<slot>"` (saved as checkpoint tensors).
    public var tensors: [String: Tensor]
    /// Per-parameter and optimizer-wide numbers by key: step counts, scalar slots,
    /// `learning_rate` (saved as checkpoint metadata).
    public var scalars: [String: Double]

    /// A state made of the given tensors and scalars (empty by default).
    public init(tensors: [String: Tensor] = [:], scalars: [String: Double] = [:]) {
        self.tensors = tensors
        self.scalars = scalars
    }

    /// Bitwise equality of every tensor and scalar (NaN payloads compare by bits too).
    public static func == (lhs: OptimizerState, rhs: OptimizerState) -> Bool {
        guard lhs.scalars.count == rhs.scalars.count, lhs.tensors.count == rhs.tensors.count else { return false }
        for (key, x) in lhs.scalars {
            guard let y = rhs.scalars[key], x.bitPattern == y.bitPattern else { return false }
        }
        for (key, a) in lhs.tensors {
            guard let b = rhs.tensors[key], a.shape == b.shape else { return false }
            let same = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    for i in 0..<pa.count where pa[i].bitPattern != pb[i].bitPattern { return false }
                    return true
                }
            }
            guard same else { return false }
        }
        return true
    }
}

/// A state snapshot that does not fit an optimizer or its parameters; one line.
public struct OptimizerStateError: Error, Sendable, CustomStringConvertible {
    /// What does not fit, in one line.
    public var message: String
    /// An error with the given one-line message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
