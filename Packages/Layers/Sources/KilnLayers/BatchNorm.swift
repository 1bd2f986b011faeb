import KilnRegistry
import KilnTensor

/// `batchnorm(momentum=0.1, eps=1e-5)` [aliases `batch-norm`, `bn`]: batch normalization
/// (Ioffe & Szegedy) for dense `[batch, features]` and conv `[batch, c, h, w]` inputs,
/// with PyTorch's conventions.
///
/// Statistics are per feature (dense) or per channel over batch and space (conv), over
/// m values each:
/// - training: μ = mean, σ² = biased variance (÷m) of the batch;
///   x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β; and the running estimates are updated by an
///   exponentially weighted average, r_μ ← (1 − momentum)·r_μ + momentum·μ,
///   r_σ² ← (1 − momentum)·r_σ² + momentum·σ²·m/(m − 1) (the unbiased variance, as
///   PyTorch; with m = 1 the variance estimate is left unchanged);
/// - evaluation: x̂ = (x − r_μ)/√(r_σ² + ε) with the running estimates (the course notes'
///   test-time BN), so a prediction does not depend on the rest of its batch.
///
/// γ (`weight`, ones) and β (`bias`, zeros) are learnable and not regularized; the running
/// mean and variance (`running_mean` zeros, `running_var` ones) are ``buffers``: saved in
/// checkpoints, restored by early stopping, never touched by the optimizer.
///
/// Backward in training (batch statistics depend on x):
/// dx = γ/(m·√(σ²+ε)) · (m·g − Σg − x̂·Σ(g·x̂)), dγ = Σ g·x̂, dβ = Σ g;
/// in evaluation dx = γ·g/√(r_σ²+ε).
public final class BatchNorm: Layer {
    /// The weight of the new batch statistic in the running averages: r = (1 − momentum)·r +
    /// momentum·batch (spec `momentum`, default 0.1, PyTorch's).
    public let momentum: Float
    /// ε, added to the variance before the square root (spec `eps`, default 1e-5).
    public let epsilon: Float
    /// γ, the per-feature scale (ones at first; not regularized); nil before `build`.
    public private(set) var weight: Parameter?
    /// β, the per-feature shift (zeros at first; not regularized); nil before `build`.
    public private(set) var bias: Parameter?
    /// The running mean used in evaluation (a buffer: saved, not trained); nil before `build`.
    public private(set) var runningMean: Parameter?
    /// The running unbiased variance used in evaluation (a buffer); nil before `build`.
    public private(set) var runningVariance: Parameter?
    public var needsInputGradient = true

    private var channels = 0
    private var spatial = 1
    private var batch = 0
    private var lastWasTraining = false
    private var inverseStd: [Float] = []
    /// The mean that normalized the last forward pass (the batch's or the running one), and
    /// that pass's input: backward recomputes x̂ from them instead of forward storing it.
    private var usedMean: [Float] = []
    private var savedInput: Tensor?
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// A batch normalization with PyTorch's defaults.
    public init(momentum: Float = 0.1, epsilon: Float = 1e-5) {
        precondition(momentum >= 0 && momentum <= 1, "batchnorm: momentum must be in [0, 1]")
        precondition(epsilon > 0 && epsilon.isFinite, "batchnorm: eps must be positive")
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public var description: String { "batchnorm(momentum=\(Spec.format(momentum)), eps=\(Spec.format(epsilon)))" }
    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }
    public var buffers: [Parameter] { [runningMean, runningVariance].compactMap { $0 } }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard (inputShape.count == 1 || inputShape.count == 3), inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: description, message: "expects features [F] or CxHxW input, got \(describeShape(inputShape))")
        }
        channels = inputShape[0]
        spatial = inputShape.dropFirst().reduce(1, *)
        weight = Parameter(name: "\(name).weight", value: .ones([channels]), isRegularized: false)
        bias = Parameter(name: "\(name).bias", value: .zeros([channels]), isRegularized: false)
        runningMean = Parameter(name: "\(name).running_mean", value: .zeros([channels]), isRegularized: false)
        runningVariance = Parameter(name: "\(name).running_var", value: .ones([channels]), isRegularized: false)
        inverseStd = [Float](repeating: 0, count: channels)
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard let weight, let bias, let runningMean, let runningVariance else { preconditionFailure("batchnorm: forward before build") }
        precondition(input.rank >= 2 && input.count == input.shape[0] * channels * spatial,
                     "\(description): input \(input.shape) does not match \(channels) channels x \(spatial)")
        batch = input.shape[0]
        lastWasTraining = training
        output.ensureShape(input.shape)
        let (c, s, n) = (channels, spatial, batch)
        var mean = [Float](repeating: 0, count: c)
        if training {
            let m = n * s
            var variance = [Float](repeating: 0, count: c)
            input.withUnsafeBufferPointer { xp in
                if s == 1 {
                    // Dense input: column statistics, vectorized across features.
                    columnMoments(xp.baseAddress!, rows: n, columns: c, mean: &mean, variance: &variance)
                    return
                }
                // One pass over memory: each plane's sum and squared deviations about its own
                // mean (the plane is in cache for the second look), joined per channel by
                // Chan's rule M2 = Σ_p [M2_p + s·(μ_p − μ)²], in Double.
                var sums = [Double](repeating: 0, count: c)
                var planeMeans = [Double](repeating: 0, count: n * c), planeM2 = [Double](repeating: 0, count: n * c)
                for i in 0..<n {
                    for j in 0..<c {
                        let plane = xp.baseAddress! + (i * c + j) * s
                        let sum = vectorSum(plane, s)
                        let planeMean = sum / Float(s)
                        sums[j] += Double(sum)
                        planeMeans[i * c + j] = Double(planeMean)
                        planeM2[i * c + j] = Double(vectorSumOfSquaredDeviations(plane, s, mean: planeMean))
                    }
                }
                for j in 0..<c {
                    let mu = sums[j] / Double(m)
                    var m2 = 0.0
                    for i in 0..<n {
                        let d = planeMeans[i * c + j] - mu
                        m2 += planeM2[i * c + j] + Double(s) * d * d
                    }
                    mean[j] = Float(mu)
                    variance[j] = Float(m2 / Double(m))
                }
            }
            for j in 0..<c { inverseStd[j] = 1 / (variance[j] + epsilon).squareRoot() }
            let momentum = self.momentum
            runningMean.value.withUnsafeMutableBufferPointer { r in
                for j in 0..<c { r[j] = (1 - momentum) * r[j] + momentum * mean[j] }
            }
            if m > 1 {
                let correction = Float(m) / Float(m - 1)
                runningVariance.value.withUnsafeMutableBufferPointer { r in
                    for j in 0..<c { r[j] = (1 - momentum) * r[j] + momentum * variance[j] * correction }
                }
            }
        } else {
            runningMean.value.withUnsafeBufferPointer { r in for j in 0..<c { mean[j] = r[j] } }
            let eps = epsilon
            runningVariance.value.withUnsafeBufferPointer { r in
                for j in 0..<c { inverseStd[j] = 1 / (r[j] + eps).squareRoot() }
            }
        }
        let gamma = weight.value.scalars, beta = bias.value.scalars
        let inv = inverseStd
        usedMean = mean
        // y = γ·(x − μ)·k + β written as x·a + b with a = γ·k, b = β − μ·a: one pass that reads
        // x and writes y. Backward recomputes x̂ = (x − μ)·k from the kept input.
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<n {
                    for j in 0..<c {
                        let base = (i * c + j) * s
                        let a = gamma[j] * inv[j]
                        let b = beta[j] - mean[j] * a
                        let x = xp.baseAddress! + base, y = yp.baseAddress! + base
                        for q in 0..<s { y[q] = x[q] * a + b }
                    }
                }
            }
        }
        savedInput = input
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let weight, let bias else { preconditionFailure("batchnorm: backward before build") }
        guard let input = savedInput else { preconditionFailure("batchnorm: backward before forward") }
        precondition(outputGradient.shape == output.shape, "\(description): gradient \(outputGradient.shape) should be \(output.shape)")
        let (c, s, n) = (channels, spatial, batch)
        let (mean, inv) = (usedMean, inverseStd)
        var sumG = [Float](repeating: 0, count: c)
        var sumGH = [Float](repeating: 0, count: c)
        outputGradient.withUnsafeBufferPointer { gp in
            input.withUnsafeBufferPointer { xp in
                if s == 1 {
                    columnSums(gp.baseAddress!, xp.baseAddress!, mean: mean, inverseStd: inv, rows: n, columns: c, sum: &sumG, dot: &sumGH)
                    return
                }
                var a = [Double](repeating: 0, count: c), b = [Double](repeating: 0, count: c)
                for i in 0..<n {
                    for j in 0..<c {
                        let base = (i * c + j) * s
                        a[j] += Double(vectorSum(gp.baseAddress! + base, s))
                        b[j] += Double(vectorDotOfDeviations(gp.baseAddress! + base, xp.baseAddress! + base, s, mean: mean[j]))
                    }
                }
                // Σ g·x̂ = k·Σ g·(x − μ).
                for j in 0..<c { sumG[j] = Float(a[j]); sumGH[j] = Float(b[j]) * inv[j] }
            }
        }
        bias.gradient.withUnsafeMutableBufferPointer { d in for j in 0..<c { d[j] = sumG[j] } }
        weight.gradient.withUnsafeMutableBufferPointer { d in for j in 0..<c { d[j] = sumGH[j] } }
        guard needsInputGradient else { savedInput = nil; return emptyGradient }
        inputGradient.ensureShape(output.shape)
        let gamma = weight.value.scalars
        let training = lastWasTraining
        let m = Float(n * s)
        outputGradient.withUnsafeBufferPointer { gp in
            input.withUnsafeBufferPointer { xp in
                inputGradient.withUnsafeMutableBufferPointer { dxp in
                    for i in 0..<n {
                        for j in 0..<c {
                            let base = (i * c + j) * s
                            let scale = gamma[j] * inv[j]
                            let g = gp.baseAddress! + base, x = xp.baseAddress! + base, dx = dxp.baseAddress! + base
                            if training {
                                // dx = scale/m·(m·g − Σg − x̂·Σg·x̂) with x̂ = (x − μ)·k.
                                let k = scale / m, mu = mean[j]
                                let mg = k * sumG[j], mgh = k * sumGH[j] * inv[j], km = k * m
                                for q in 0..<s { dx[q] = km * g[q] - mg - (x[q] - mu) * mgh }
                            } else {
                                for q in 0..<s { dx[q] = scale * g[q] }
                            }
                        }
                    }
                }
            }
        }
        savedInput = nil   // releases the previous layer's output buffer for reuse
        return inputGradient
    }
}

/// Per-column mean and biased variance of a `rows x columns` matrix (two passes).
private func columnMoments(_ x: UnsafePointer<Float>, rows: Int, columns: Int, mean: inout [Float], variance: inout [Float]) {
    mean.withUnsafeMutableBufferPointer { mu in
        variance.withUnsafeMutableBufferPointer { v in
            mu.update(repeating: 0)
            v.update(repeating: 0)
            for i in 0..<rows {
                let row = x + i * columns
                for j in 0..<columns { mu[j] += row[j] }
            }
            let inv = 1 / Float(rows)
            for j in 0..<columns { mu[j] *= inv }
            for i in 0..<rows {
                let row = x + i * columns
                for j in 0..<columns { let d = row[j] - mu[j]; v[j] += d * d }
            }
            for j in 0..<columns { v[j] *= inv }
        }
    }
}

/// Per-column Σg and Σg·x̂ of a gradient and an input `rows x columns`, x̂ = (x − μ)·k.
private func columnSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: [Float], inverseStd: [Float],
                        rows: Int, columns: Int, sum: inout [Float], dot: inout [Float]) {
    mean.withUnsafeBufferPointer { mu in
        inverseStd.withUnsafeBufferPointer { k in
            sum.withUnsafeMutableBufferPointer { a in
                dot.withUnsafeMutableBufferPointer { b in
                    a.update(repeating: 0)
                    b.update(repeating: 0)
                    for i in 0..<rows {
                        let gr = g + i * columns, xr = x + i * columns
                        for j in 0..<columns {
                            a[j] += gr[j]
                            b[j] += gr[j] * ((xr[j] - mu[j]) * k[j])
                        }
                    }
                }
            }
        }
    }
}
