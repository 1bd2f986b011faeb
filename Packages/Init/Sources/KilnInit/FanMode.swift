import KilnRegistry

/// Which fan a scale-aware initializer divides the variance by.
///
/// - `fanIn` keeps the variance of the forward activations (the default everywhere).
/// - `fanOut` keeps the variance of the backward gradients.
/// - `fanAverage` uses (fan-in + fan-out) / 2, Xavier/Glorot's compromise.
public enum FanMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Divide by the fan-in: keeps the forward activations' variance.
    case fanIn = "fan-in"
    /// Divide by the fan-out: keeps the backward gradients' variance.
    case fanOut = "fan-out"
    /// Divide by (fan-in + fan-out) / 2.
    case fanAverage = "fan-avg"

    /// The spec word (`fan-in`, `fan-out`, `fan-avg`).
    public var description: String { rawValue }

    /// The selected fan of `fan`, as a `Float`.
    public func value(of fan: Fan) -> Float {
        switch self {
        case .fanIn: return Float(fan.fanIn)
        case .fanOut: return Float(fan.fanOut)
        case .fanAverage: return fan.average
        }
    }
}

/// The fan a fan-based initializer divides by, checked: a weight with elements needs a
/// positive fan (a zero fan is a bug in the layer that computed it).
@inline(__always)
func checkedFan(_ value: Int, _ what: String, count: Int) -> Float {
    precondition(value > 0 || count == 0, "initializer: \(what) must be positive for a non-empty weight, got \(value)")
    return Float(max(value, 1))
}

extension Spec {
    /// `mode=fan-in|fan-out|fan-avg` (default `fan-in`).
    func fanMode(default value: FanMode = .fanIn) throws(SpecArgumentError) -> FanMode {
        FanMode(rawValue: try word("mode", default: value.rawValue, oneOf: FanMode.allCases.map(\.rawValue)))!
    }
}
