import KilnRegistry
import KilnTensor

// The built-in activations: each is an ``ActivationFunction`` and, through a type alias,
// the ``Activation`` layer made with it (the names the layers had before they shared one
// implementation, so `ReLU()`, `LeakyReLU(slope:)` and `layer as? ELU` keep working).

/// `relu`: y = max(x, 0). Backward: dy/dx = 1 where y > 0, else 0 (0 at x = 0, like every
/// framework).
public struct ReLUFunction: ActivationFunction {
    /// The function; it has no settings.
    public init() {}
    public var description: String { "relu" }
    @inline(__always) public func value(_ x: Float) -> Float { !(x <= 0) ? x : 0 }   // NaN propagates; one compare
    @inline(__always) public func inputGradient(output y: Float, outputGradient g: Float) -> Float { y > 0 ? g : 0 }
}

/// `sigmoid`: y = 1 / (1 + e^(−x)), computed as e^x / (1 + e^x) for x < 0 so that no
/// exponential overflows (``logistic(_:)``). Backward: dy/dx = y·(1 − y).
public struct SigmoidFunction: ActivationFunction {
    /// The function; it has no settings.
    public init() {}
    public var description: String { "sigmoid" }
    @inline(__always) public func value(_ x: Float) -> Float { logistic(x) }
    @inline(__always) public func inputGradient(output y: Float, outputGradient g: Float) -> Float { g * y * (1 - y) }
}

/// `tanh`: y = tanh(x). Backward: dy/dx = 1 − y².
public struct TanhFunction: ActivationFunction {
    /// The function; it has no settings.
    public init() {}
    public var description: String { "tanh" }
    @inline(__always) public func value(_ x: Float) -> Float { hyperbolicTangent(x) }
    @inline(__always) public func inputGradient(output y: Float, outputGradient g: Float) -> Float { g * (1 - y * y) }
}

/// `leaky-relu(slope=0.01)` [aliases `leakyrelu`, `leaky_relu`]: y = x for x > 0, slope·x
/// otherwise (PyTorch's default slope 0.01). Backward: 1 or slope. The slope must be >= 0
/// so that the sign of y tells the branch and only the output is kept.
public struct LeakyReLUFunction: ActivationFunction {
    /// The slope for negative inputs (spec `slope`, default 0.01; at least 0).
    public let slope: Float
    /// The function with `slope` (finite and >= 0).
    public init(slope: Float = 0.01) {
        precondition(slope >= 0 && slope.isFinite, "leaky-relu: slope must be finite and >= 0")
        self.slope = slope
    }
    public var description: String { "leaky-relu(slope=\(Spec.format(slope)))" }
    @inline(__always) public func value(_ x: Float) -> Float { x > 0 ? x : slope * x }
    @inline(__always) public func inputGradient(output y: Float, outputGradient g: Float) -> Float { y > 0 ? g : slope * g }
}

/// `elu(alpha=1)`: y = x for x > 0, α·(e^x − 1) otherwise (Clevert et al.; PyTorch's
/// default α = 1). Backward: 1 for y > 0, else y + α (= α·e^x). α must be > 0.
public struct ELUFunction: ActivationFunction {
    /// α, the value the negative side approaches (spec `alpha`, default 1; > 0).
    public let alpha: Float
    /// The function with `alpha` (finite and > 0).
    public init(alpha: Float = 1) {
        precondition(alpha > 0 && alpha.isFinite, "elu: alpha must be finite and > 0")
        self.alpha = alpha
    }
    public var description: String { "elu(alpha=\(Spec.format(alpha)))" }
    @inline(__always) public func value(_ x: Float) -> Float { x > 0 ? x : alpha * exponentialMinusOne(x) }
    @inline(__always) public func inputGradient(output y: Float, outputGradient g: Float) -> Float { y > 0 ? g : g * (y + alpha) }
}

/// The `relu` layer.
public typealias ReLU = Activation<ReLUFunction>
/// The `sigmoid` layer.
public typealias Sigmoid = Activation<SigmoidFunction>
/// The `tanh` layer.
public typealias Tanh = Activation<TanhFunction>
/// The `leaky-relu` layer.
public typealias LeakyReLU = Activation<LeakyReLUFunction>
/// The `elu` layer.
public typealias ELU = Activation<ELUFunction>

extension Activation where Function == ReLUFunction {
    /// The ReLU layer, y = max(x, 0).
    public convenience init() { self.init(ReLUFunction()) }
}

extension Activation where Function == SigmoidFunction {
    /// The sigmoid layer, y = σ(x).
    public convenience init() { self.init(SigmoidFunction()) }
}

extension Activation where Function == TanhFunction {
    /// The tanh layer.
    public convenience init() { self.init(TanhFunction()) }
}

extension Activation where Function == LeakyReLUFunction {
    /// A leaky ReLU with the given slope (default 0.01, PyTorch's).
    public convenience init(slope: Float = 0.01) { self.init(LeakyReLUFunction(slope: slope)) }
    /// The slope for negative inputs.
    public var slope: Float { function.slope }
}

extension Activation where Function == ELUFunction {
    /// An ELU with the given α (default 1).
    public convenience init(alpha: Float = 1) { self.init(ELUFunction(alpha: alpha)) }
    /// α, the value the negative side approaches.
    public var alpha: Float { function.alpha }
}
