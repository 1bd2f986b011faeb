import KilnTensor

/// The math of an elementwise activation: y = f(x) and its derivative written in terms of
/// the output y, so the layer keeps only its output (the previous layer's buffer is free
/// for reuse) and the backward pass needs no second transcendental call.
///
/// Conforming types give the two scalar functions; the loops over whole buffers come from
/// the extension below and are specialized for each conforming type, so the scalar calls
/// inline and the loops vectorize exactly as a hand-written layer's would.
///
/// ```swift
/// struct SquareFunction: ActivationFunction {   // y = x², valid for x ≥ 0 only
///     var description: String { "square" }
///     func value(_ x: Float) -> Float { x * x }
///     func inputGradient(output y: Float, outputGradient g: Float) -> Float { 2 * y.squareRoot() * g }
/// }
/// let layer = Activation(SquareFunction())
/// ```
public protocol ActivationFunction: Sendable, CustomStringConvertible {
    /// y = f(x).
    func value(_ x: Float) -> Float
    /// dL/dx = f′(x)·g, written from the output y = f(x) and g = dL/dy.
    func inputGradient(output y: Float, outputGradient g: Float) -> Float
    /// y[i] = f(x[i]) over whole buffers of equal length (default: a loop over ``value(_:)``).
    func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>)
    /// dx[i] = f′·g[i] from the outputs y (default: a loop over ``inputGradient(output:outputGradient:)``).
    func backward(output y: UnsafeBufferPointer<Float>, outputGradient g: UnsafeBufferPointer<Float>,
                  into dx: UnsafeMutableBufferPointer<Float>)
}

extension ActivationFunction {
    /// A loop over ``value(_:)``.
    @inlinable
    public func forward(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<x.count { y[i] = value(x[i]) }
    }

    /// A loop over ``inputGradient(output:outputGradient:)``, loading both operands
    /// unconditionally so that a select in the scalar function vectorizes.
    @inlinable
    public func backward(output y: UnsafeBufferPointer<Float>, outputGradient g: UnsafeBufferPointer<Float>,
                         into dx: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<g.count {
            let yi = y[i], gi = g[i]
            dx[i] = inputGradient(output: yi, outputGradient: gi)
        }
    }
}

/// An elementwise activation layer: y = f(x) for the ``ActivationFunction`` f, any input
/// shape, no parameters. `relu`, `sigmoid`, `tanh`, `leaky-relu` and `elu` are this layer
/// with the functions in ActivationFunctions.swift (``ReLU`` is `Activation<ReLUFunction>`,
/// and so on); a user's own function becomes a layer with `Activation(MyFunction())` and a
/// name with one `register` call.
public final class Activation<Function: ActivationFunction>: Layer {
    /// The elementwise function.
    public let function: Function
    public var needsInputGradient = true
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// The layer y = `function`(x).
    public init(_ function: Function) {
        self.function = function
    }

    public var description: String { function.description }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.ensureShape(input.shape)
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in function.forward(xp, into: yp) }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "\(description): gradient \(outputGradient.shape) should be \(output.shape)")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        outputGradient.withUnsafeBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                inputGradient.withUnsafeMutableBufferPointer { dx in function.backward(output: yp, outputGradient: gp, into: dx) }
            }
        }
        return inputGradient
    }
}
