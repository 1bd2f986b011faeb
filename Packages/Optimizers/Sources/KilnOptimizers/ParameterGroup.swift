import KilnTensor

/// Overrides the learning rate and weight decay for the parameters a predicate selects.
///
/// ```swift
/// optimizer.groups = [
///     ParameterGroup(matching: { !$0.isRegularized }, weightDecay: 0),        // no decay on biases
///     ParameterGroup(matching: { $0.name.hasPrefix("0.") }, learningRateScale: 0.1),  // slow first layer
/// ]
/// ```
///
/// Precedence, for each parameter at each step, over the groups that match it in order:
/// - learning rate = (the last matching group's `learningRate`, else the optimizer's
///   `learningRate`) × the product of every matching group's `learningRateScale`;
/// - weight decay = the last matching group's `weightDecay`, else the optimizer's own.
///
/// So groups compose: a bias in layer 0 above gets both no decay and a tenth of the rate.
/// A scale follows schedules (it multiplies whatever `learningRate` is now); an absolute
/// `learningRate` ignores them. Built-ins apply weight decay as torch does: added to the
/// gradient (L2) in all of them except `adamw`, which decays the value directly.
public struct ParameterGroup: Sendable {
    /// Selects the parameters of the group.
    public var matches: @Sendable (Parameter) -> Bool
    /// An absolute learning rate for the group, or nil to use the optimizer's.
    public var learningRate: Float?
    /// Multiplies the group's learning rate (1 = unchanged).
    public var learningRateScale: Float
    /// The group's weight decay, or nil to use the optimizer's.
    public var weightDecay: Float?

    /// Values must be finite and >= 0 (a programmer error otherwise).
    public init(
        matching matches: @escaping @Sendable (Parameter) -> Bool,
        learningRate: Float? = nil, learningRateScale: Float = 1, weightDecay: Float? = nil
    ) {
        precondition(learningRate.map { $0.isFinite && $0 >= 0 } ?? true, "ParameterGroup: learningRate must be finite and >= 0")
        precondition(learningRateScale.isFinite && learningRateScale >= 0, "ParameterGroup: learningRateScale must be finite and >= 0")
        precondition(weightDecay.map { $0.isFinite && $0 >= 0 } ?? true, "ParameterGroup: weightDecay must be finite and >= 0")
        self.matches = matches
        self.learningRate = learningRate
        self.learningRateScale = learningRateScale
        self.weightDecay = weightDecay
    }

    /// The group of the parameters with these names.
    public init(names: Set<String>, learningRate: Float? = nil, learningRateScale: Float = 1, weightDecay: Float? = nil) {
        self.init(matching: { names.contains($0.name) }, learningRate: learningRate,
                  learningRateScale: learningRateScale, weightDecay: weightDecay)
    }

    /// The effective (learning rate, weight decay) of `parameter` under `groups`.
    public static func resolve(
        _ parameter: Parameter, groups: [ParameterGroup], learningRate: Float, weightDecay: Float
    ) -> (learningRate: Float, weightDecay: Float) {
        var lr = learningRate, scale: Float = 1, decay = weightDecay
        for group in groups where group.matches(parameter) {
            if let l = group.learningRate { lr = l }
            if let d = group.weightDecay { decay = d }
            scale *= group.learningRateScale
        }
        return (scale == 1 ? lr : lr * scale, decay)
    }
}
