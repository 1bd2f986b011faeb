import KilnTensor

/// What gradient clipping does when a gradient holds NaN or ±infinity.
public enum NonFiniteGradientPolicy: Sendable {
    /// Throw ``NonFiniteGradientError`` and leave every gradient unchanged.
    case error
    /// Zero every gradient of the batch and return a non-finite norm, so the caller can
    /// tell and skip `optimizer.step` (a zero-gradient step would still move stateful
    /// optimizers such as momentum and Adam).
    case skip
}

/// A gradient that holds NaN or infinity; one line naming the first such parameter.
public struct NonFiniteGradientError: Error, Sendable, CustomStringConvertible {
    /// The name of the first parameter whose gradient is not finite.
    public var parameterName: String
    /// The error for the parameter named `parameterName`.
    public init(parameterName: String) { self.parameterName = parameterName }
    public var description: String { "gradient of parameter '\(parameterName)' is not finite (NaN or infinity)" }
}

/// Clipping by global norm and by value over a list of parameters, in place, applied
/// between backward and `optimizer.step` (it composes with every optimizer).
public enum GradientClipping {
    /// The global L2 norm of all the gradients, √(Σ_p Σ_i g²) (accumulated in `Double`).
    public static func globalNorm(_ parameters: [Parameter]) -> Float {
        var total: Double = 0
        for p in parameters {
            p.gradient.withUnsafeBufferPointer { g in
                var sum: Float = 0
                // Blocks of 256 summed in Float, blocks accumulated in Double: fast and accurate.
                var i = 0
                while i < g.count {
                    let end = min(i + 256, g.count)
                    sum = 0
                    for j in i..<end { sum += g[j] * g[j] }
                    total += Double(sum)
                    i = end
                }
            }
        }
        return Float(total.squareRoot())
    }

    /// Scales every gradient by `maxNorm / norm` when the global norm exceeds `maxNorm`
    /// (torch's `clip_grad_norm_`, without its 1e-6 epsilon: the clipped norm is exactly
    /// `maxNorm` up to rounding). Returns the norm before clipping.
    ///
    /// A non-finite norm (a NaN or infinite gradient) throws or skips, per `nonFinite`.
    /// `maxNorm` must be finite and > 0 (a programmer error otherwise).
    @discardableResult
    public static func clipByGlobalNorm(
        _ parameters: [Parameter], maxNorm: Float, nonFinite: NonFiniteGradientPolicy = .error
    ) throws -> Float {
        precondition(maxNorm.isFinite && maxNorm > 0, "clipByGlobalNorm: maxNorm must be finite and > 0, got \(maxNorm)")
        let norm = globalNorm(parameters)
        guard norm.isFinite else {
            // The Float norm also overflows for huge finite gradients; only real NaN/inf count.
            if let bad = firstNonFinite(parameters) {
                return try handleNonFinite(parameters, bad, norm: norm, policy: nonFinite)
            }
            let scale = Float(Double(maxNorm) / exactNorm(parameters))
            for p in parameters { p.gradient *= scale }
            return norm
        }
        if norm > maxNorm {
            let scale = maxNorm / norm
            for p in parameters {
                p.gradient.withUnsafeMutableBufferPointer { g in
                    for i in 0..<g.count { g[i] *= scale }
                }
            }
        }
        return norm
    }

    /// Clamps every gradient element to [−limit, limit] (torch's `clip_grad_value_`).
    /// Returns the largest |g| before clipping. A NaN or infinite element throws or skips,
    /// per `nonFinite` (with `.skip` every gradient is zeroed and the result is non-finite).
    @discardableResult
    public static func clipByValue(
        _ parameters: [Parameter], limit: Float, nonFinite: NonFiniteGradientPolicy = .error
    ) throws -> Float {
        precondition(limit.isFinite && limit > 0, "clipByValue: limit must be finite and > 0, got \(limit)")
        if let bad = firstNonFinite(parameters) {
            return try handleNonFinite(parameters, bad, norm: .nan, policy: nonFinite)
        }
        var largest: Float = 0
        for p in parameters {
            p.gradient.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count {
                    let x = g[i]
                    largest = max(largest, abs(x))
                    g[i] = min(max(x, -limit), limit)
                }
            }
        }
        return largest
    }

    static func firstNonFinite(_ parameters: [Parameter]) -> Parameter? {
        for p in parameters {
            let finite = p.gradient.withUnsafeBufferPointer { g in
                var all = true
                for i in 0..<g.count where !g[i].isFinite { all = false }
                return all
            }
            if !finite { return p }
        }
        return nil
    }

    static func exactNorm(_ parameters: [Parameter]) -> Double {
        // Scaled by the largest |g| to avoid overflow.
        var largest: Double = 0
        for p in parameters { p.gradient.withUnsafeBufferPointer { g in for x in g { largest = max(largest, Double(abs(x))) } } }
        guard largest > 0 else { return 0 }
        var sum: Double = 0
        for p in parameters { p.gradient.withUnsafeBufferPointer { g in for x in g { let y = Double(x) / largest; sum += y * y } } }
        return sum.squareRoot() * largest
    }

    static func handleNonFinite(
        _ parameters: [Parameter], _ bad: Parameter, norm: Float, policy: NonFiniteGradientPolicy
    ) throws -> Float {
        switch policy {
        case .error: throw NonFiniteGradientError(parameterName: bad.name)
        case .skip:
            for p in parameters { p.zeroGradient() }
            return norm.isFinite ? .nan : norm
        }
    }
}
