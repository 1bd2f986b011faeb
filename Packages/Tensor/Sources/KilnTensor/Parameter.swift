/// A trainable tensor and its gradient, shared by reference between the layer that owns
/// it, the optimizer that updates it and the regularizers that penalise it.
///
/// This is the meeting point of the packages: KilnLayers creates parameters, the
/// backward pass writes `gradient`, KilnRegularizers adds penalty gradients to it, and
/// KilnOptimizers reads `gradient` and writes `value`. A user with their own backprop
/// needs only this type and an optimizer:
///
/// ```swift
/// let w = Parameter(name: "w", value: Tensor.zeros([3]))
/// let adam = Adam(learningRate: 0.1)
/// w.gradient = myGradient(w.value)
/// adam.step([w])
/// ```
///
/// - `name` identifies the parameter's optimizer state when saving and restoring it,
///   so it must be unique among the parameters given to one optimizer.
/// - `isRegularized` is false for biases and normalization scales/shifts: L1/L2 and
///   weight decay apply to weights only (the course notes' convention, and Keras').
public final class Parameter: @unchecked Sendable, CustomStringConvertible {
    /// The unique name that keys this parameter's optimizer state and its tensor in files
    /// (`0.dense.weight`).
    public let name: String
    /// The current values; optimizers update them in place.
    public var value: Tensor
    /// dLoss/dvalue, the same shape as `value`: the backward pass overwrites it, regularizers
    /// add to it, optimizers read it.
    public var gradient: Tensor
    /// Whether L1, L2 and weight decay apply (false for biases and normalization scales and
    /// shifts).
    public let isRegularized: Bool

    /// A parameter with a zero gradient of the same shape.
    public init(name: String, value: Tensor, isRegularized: Bool = true) {
        self.name = name
        self.value = value
        self.gradient = Tensor.zeros(value.shape)
        self.isRegularized = isRegularized
    }

    /// The shape of `value` (and of `gradient`).
    public var shape: [Int] { value.shape }

    /// Sets the gradient to zero in place (no allocation).
    public func zeroGradient() { gradient.fill(0) }

    public var description: String { "Parameter(\(name), shape: \(value.shape))" }
}
