#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Elementwise functions. Each returns a new tensor; the `formX()` in-place forms write
/// into the receiver. IEEE semantics throughout: `log(0) = -inf`, `log(-1) = NaN`,
/// `sqrt(-0) = -0`, NaN in gives NaN out (except `clamp`, which keeps NaN, and `relu`,
/// which keeps NaN, as PyTorch does).
extension Tensor {
    func unary<Op: UnaryOperation>(_ op: Op.Type) -> Tensor {
        Tensor(shape: shape) { out in
            withUnsafeBufferPointer { p in
                for i in 0..<out.count { out[i] = Op.apply(p[i]) }
            }
        }
    }

    mutating func unaryInPlace<Op: UnaryOperation>(_ op: Op.Type) {
        withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = Op.apply(p[i]) }
        }
    }

    /// e^x.
    public func exp() -> Tensor { unary(Exp.self) }
    /// Natural logarithm.
    public func log() -> Tensor { unary(Log.self) }
    /// Square root.
    public func sqrt() -> Tensor { unary(Sqrt.self) }
    /// |x|.
    public func abs() -> Tensor { unary(Abs.self) }
    /// -1, 0 or 1 (sign(±0) = 0, sign(NaN) = NaN).
    public func sign() -> Tensor { unary(Sign.self) }
    /// x².
    public func square() -> Tensor { unary(Square.self) }
    /// max(x, 0).
    public func relu() -> Tensor { unary(ReLU.self) }
    /// tanh(x).
    public func tanh() -> Tensor { unary(Tanh.self) }
    /// 1 / (1 + e^-x), computed without overflow: for x < 0 as e^x / (1 + e^x).
    public func sigmoid() -> Tensor { unary(Sigmoid.self) }

    /// x^p elementwise (C `powf`).
    public func pow(_ p: Float) -> Tensor {
        if p == 2 { return square() }
        if p == 0.5 { return sqrt() }
        return Tensor(shape: shape) { out in
            withUnsafeBufferPointer { x in
                for i in 0..<out.count { out[i] = powf(x[i], p) }
            }
        }
    }

    /// Each element limited to `[low, high]` (NaN stays NaN).
    public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        precondition(!(low > high), "clamped: min \(low) > max \(high)")
        return Tensor(shape: shape) { out in
            withUnsafeBufferPointer { x in
                for i in 0..<out.count {
                    let v = x[i]
                    out[i] = v < low ? low : (v > high ? high : v)
                }
            }
        }
    }

    /// Replaces every element x by eˣ.
    public mutating func formExp() { unaryInPlace(Exp.self) }
    /// Replaces every element x by ln x (NaN below 0, −infinity at 0).
    public mutating func formLog() { unaryInPlace(Log.self) }
    /// Replaces every element x by √x (NaN below 0).
    public mutating func formSqrt() { unaryInPlace(Sqrt.self) }
    /// Replaces every element x by |x|.
    public mutating func formAbs() { unaryInPlace(Abs.self) }
    /// Replaces every element x by x².
    public mutating func formSquare() { unaryInPlace(Square.self) }
    /// Replaces every element x by max(x, 0).
    public mutating func formReLU() { unaryInPlace(ReLU.self) }
    /// Replaces every element x by tanh x.
    public mutating func formTanh() { unaryInPlace(Tanh.self) }
    /// Replaces every element x by σ(x) = 1 / (1 + e⁻ˣ).
    public mutating func formSigmoid() { unaryInPlace(Sigmoid.self) }
}

/// A unary elementwise operation (a generic parameter, specialised per loop).
public protocol UnaryOperation {
    /// The result for the element `x`.
    static func apply(_ x: Float) -> Float
}

enum Exp: UnaryOperation { @inline(__always) static func apply(_ x: Float) -> Float { expf(x) } }
enum Log: UnaryOperation { @inline(__always) static func apply(_ x: Float) -> Float { logf(x) } }
enum Sqrt: UnaryOperation { @inline(__always) static func apply(_ x: Float) -> Float { x.squareRoot() } }
enum Abs: UnaryOperation { @inline(__always) static func apply(_ x: Float) -> Float { Swift.abs(x) } }
enum Square: UnaryOperation { @inline(__always) static func apply(_ x: Float) -> Float { x * x } }
enum Tanh: UnaryOperation { @inline(__always) static func apply(_ x: Float) -> Float { tanhf(x) } }
enum Sign: UnaryOperation {
    @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : (x.isNaN ? .nan : 0)) }
}
enum ReLU: UnaryOperation {
    @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? x : (x.isNaN ? x : 0) }
}
enum Sigmoid: UnaryOperation {
    @inline(__always) static func apply(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + expf(-x)) }
        let e = expf(x)
        return e / (1 + e)
    }
}
