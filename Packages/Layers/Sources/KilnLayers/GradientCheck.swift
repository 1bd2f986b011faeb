import KilnTensor

/// The course notes' gradient check: compare each parameter's backprop gradient g with
/// two-sided finite differences,
///
///     g_num,i = (L(θ + h·e_i) − L(θ − h·e_i)) / 2h,
///     delta = ||g_num − g|| / (||g_num|| + ||g||)   (0 when both are zero),
///
/// one row per parameter (and one for the input, when asked).
///
/// Float32 and the threshold. The notes use h = 1e-7 and read delta ≈ 1e-7 as "great",
/// 1e-5 as "look closer", 1e-3 as "probably a bug" — in float64. A float32 forward pass
/// carries relative rounding noise of a few 1e-7 in L, so a difference quotient with step h
/// has noise ≈ 1e-7·|L|/h per element: h = 1e-7 would measure nothing but rounding. This
/// checker therefore
/// - uses a larger step, default h = 3e-3: rounding noise ≈ 3e-5·|L| per element, while the
///   O(h²) truncation error of the central difference and the chance of a perturbation
///   crossing a ReLU or max-pool kink stay small. Measured on the `gradient-check`
///   example's network (conv, tanh, batchnorm, maxpool, dense, elu, layernorm), largest
///   delta: h = 1e-2 → 5.8e-3 (a max-pool kink crossed), 3e-3 → 4.5e-4, 1e-3 → 1.4e-3,
///   3e-4 → 4.7e-3 (rounding). Single smooth layers reach ~1e-6 with h = 1e-2.
/// - divides by the step actually taken, `(θ+h) − (θ−h)` as stored in float32, not 2h,
/// - takes the loss in `Double` from the loss function and accumulates in `Double`,
/// - re-seeds the model before every forward, so dropout draws the same mask each time
///   (still, check with dropout off or in evaluation mode, as the notes advise),
/// - restores every buffer afterwards (BatchNorm's running statistics).
/// A correct network then gives delta ≲ 1e-3; a wrong gradient (missing term, wrong sign,
/// transposed index) gives delta of order 0.1–1. ``defaultThreshold`` = 1e-2 separates
/// the two with margin on both sides.
///
/// The delta ratio has one blind spot: a parameter whose true gradient is zero (the bias
/// of a dense or conv layer right before BatchNorm, which subtracts any constant shift)
/// gives noise over noise, delta ≈ 1. Such a row is not a bug; the table shows the norms.
public struct GradientCheck {
    /// One parameter's result.
    public struct Row: Sendable, CustomStringConvertible {
        /// The parameter name (`0.dense.weight`), or `input`.
        public var name: String
        /// The parameter's shape.
        public var shape: [Int]
        /// ||g_num − g|| / (||g_num|| + ||g||).
        public var delta: Double
        /// ||g_num||, the norm of the finite-difference gradient.
        public var numericNorm: Double
        /// ||g||, the norm of the backward pass's gradient.
        public var analyticNorm: Double
        /// The threshold the row was judged by.
        public var threshold: Double
        /// Whether delta is at most the threshold.
        public var passed: Bool { delta <= threshold }

        public var description: String {
            "\(name) \(describeShape(shape)) delta=\(delta) \(passed ? "pass" : "FAIL")"
        }
    }

    /// The float32 pass threshold for delta (see the type's documentation): 1e-2.
    public static let defaultThreshold = 1e-2

    /// The finite-difference step h.
    public var step: Float
    /// Rows with delta above this fail.
    public var threshold: Double
    /// Whether the forward passes run in training mode (BatchNorm batch statistics).
    public var training: Bool
    /// Also check the gradient w.r.t. the input (a row named `input`).
    public var checkInput: Bool
    /// The seed the model is re-seeded with before every forward pass.
    public var seed: UInt64

    /// A check with step h (default 3e-3), a pass threshold (default 1e-2), training or
    /// evaluation mode, optionally the input gradient, and the seed for re-seeding.
    public init(step: Float = 3e-3, threshold: Double = GradientCheck.defaultThreshold,
                training: Bool = true, checkInput: Bool = true, seed: UInt64 = 0) {
        precondition(step > 0 && step.isFinite, "GradientCheck: step must be positive")
        self.step = step
        self.threshold = threshold
        self.training = training
        self.checkInput = checkInput
        self.seed = seed
    }

    /// Checks `model` (built) on `input` with a loss given as a function of the model's
    /// output returning the loss (in Double) and dLoss/doutput.
    public func run(_ model: any Layer, input: Tensor, loss: (Tensor) -> (loss: Double, gradient: Tensor)) -> [Row] {
        let savedNeed = model.needsInputGradient
        model.needsInputGradient = checkInput
        let savedBuffers = model.buffers.map(\.value)
        defer {
            model.needsInputGradient = savedNeed
            for (b, v) in zip(model.buffers, savedBuffers) { b.value = v }
        }
        func evaluate(_ x: Tensor) -> Double {
            model.reseed(seed)
            return loss(model.forward(x, training: training)).loss
        }

        // Analytic gradients.
        model.reseed(seed)
        let output = model.forward(input, training: training)
        let outputGradient = loss(output).gradient
        let inputGradient = model.backward(outputGradient)
        let parameters = model.parameters
        let analytic = parameters.map(\.gradient)

        var rows: [Row] = []
        for (p, g) in zip(parameters, analytic) {
            var numeric = [Double](repeating: 0, count: p.value.count)
            for i in 0..<p.value.count {
                let original = p.value[flat: i]
                let plus = original + step, minus = original - step
                p.value[flat: i] = plus
                let lPlus = evaluate(input)
                p.value[flat: i] = minus
                let lMinus = evaluate(input)
                p.value[flat: i] = original
                numeric[i] = (lPlus - lMinus) / (Double(plus) - Double(minus))
            }
            rows.append(row(p.name, p.shape, numeric: numeric, analytic: g))
        }
        if checkInput {
            var probe = input
            var numeric = [Double](repeating: 0, count: input.count)
            for i in 0..<input.count {
                let original = probe[flat: i]
                let plus = original + step, minus = original - step
                probe[flat: i] = plus
                let lPlus = evaluate(probe)
                probe[flat: i] = minus
                let lMinus = evaluate(probe)
                probe[flat: i] = original
                numeric[i] = (lPlus - lMinus) / (Double(plus) - Double(minus))
            }
            rows.append(row("input", Array(input.shape.dropFirst()), numeric: numeric, analytic: inputGradient))
        }
        // Leave the parameters' gradients as the analytic ones of the unperturbed model.
        for (p, g) in zip(parameters, analytic) { p.gradient = g }
        return rows
    }

    /// Checks a classifier: softmax cross-entropy of the model's logits against `labels`.
    public func run(_ model: any Layer, input: Tensor, labels: [Int]) -> [Row] {
        let loss = SoftmaxCrossEntropy()
        return run(model, input: input) { loss.lossAndGradientInDouble(logits: $0, labels: labels) }
    }

    private func row(_ name: String, _ shape: [Int], numeric: [Double], analytic: Tensor) -> Row {
        var diff = 0.0, nNorm = 0.0, aNorm = 0.0
        analytic.withUnsafeBufferPointer { a in
            for i in 0..<numeric.count {
                let d = numeric[i] - Double(a[i])
                diff += d * d
                nNorm += numeric[i] * numeric[i]
                aNorm += Double(a[i]) * Double(a[i])
            }
        }
        let denominator = nNorm.squareRoot() + aNorm.squareRoot()
        let delta = denominator == 0 ? 0 : diff.squareRoot() / denominator
        return Row(name: name, shape: shape, delta: delta, numericNorm: nNorm.squareRoot(),
                   analyticNorm: aNorm.squareRoot(), threshold: threshold)
    }

    /// The rows as an aligned text table: name, shape, delta, norms, pass/fail.
    public static func table(_ rows: [Row]) -> String {
        let header = ["parameter", "shape", "delta", "||g_num||", "||g||", "result"]
        var lines = [header]
        for r in rows {
            lines.append([r.name, describeShape(r.shape), format(r.delta), format(r.numericNorm), format(r.analyticNorm),
                          r.passed ? "pass" : "FAIL"])
        }
        let widths = header.indices.map { c in lines.map { $0[c].count }.max() ?? 0 }
        return lines.map { line in
            line.enumerated().map { c, cell in cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }

    private static func format(_ x: Double) -> String {
        guard x.isFinite, x != 0 else { return x == 0 ? "0" : "\(x)" }
        // Three significant digits in scientific notation without Foundation.
        var exponent = Int((Swift.abs(x)).log10Floor)
        var mantissa = x / pow10(exponent)
        if Swift.abs(mantissa) >= 9.995 { mantissa /= 10; exponent += 1 }
        let rounded = (mantissa * 100).rounded() / 100
        var text = "\(rounded)"
        while text.count < (rounded < 0 ? 5 : 4) { text += "0" }
        return "\(text)e\(exponent < 0 ? "-" : "+")\(Swift.abs(exponent) < 10 ? "0" : "")\(Swift.abs(exponent))"
    }

    private static func pow10(_ e: Int) -> Double {
        var r = 1.0
        if e >= 0 { for _ in 0..<e { r *= 10 } } else { for _ in 0..<(-e) { r /= 10 } }
        return r
    }
}

extension Double {
    /// ⌊log10 |x|⌋ for finite non-zero x.
    fileprivate var log10Floor: Double {
        var e = 0.0
        var v = Swift.abs(self)
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}

extension String {
    /// Pads to `length` with `pad` (no Foundation).
    fileprivate func padding(toLength length: Int, withPad pad: String, startingAt: Int) -> String {
        count >= length ? self : self + String(repeating: pad, count: length - count)
    }

    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
