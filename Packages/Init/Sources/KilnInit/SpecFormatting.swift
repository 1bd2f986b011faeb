import KilnRegistry

/// Prints a `Float` argument so that `Spec` parses it back to the same `Float`:
/// integers without a fraction (`2`), others in `Float`'s shortest round-trip form
/// (`0.1`, not the `Double` expansion `0.10000000149011612`).
func specNumber(_ x: Float) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e7 { return Spec.format(Double(x)) }
    return "\(x)"
}

/// The fan a fan-based initializer divides by, checked: a weight with elements needs a
/// positive fan (a zero fan is a bug in the layer that computed it).
@inline(__always)
func checkedFan(_ value: Int, _ what: String, count: Int) -> Float {
    precondition(value > 0 || count == 0, "initializer: \(what) must be positive for a non-empty weight, got \(value)")
    return Float(max(value, 1))
}

extension Spec {
    /// A finite `Float` argument (infinities are rejected; NaN already is).
    func finiteFloat(_ key: String, at index: Int? = nil, default value: Float?) throws(SpecArgumentError) -> Float {
        let x = try float(key, at: index, default: value)
        guard x.isFinite else { throw SpecArgumentError(spec: self, key: key, message: "must be finite, got \(x)") }
        return x
    }

    /// A finite, non-negative `Float` argument.
    func nonNegativeFloat(_ key: String, at index: Int? = nil, default value: Float?) throws(SpecArgumentError) -> Float {
        let x = try finiteFloat(key, at: index, default: value)
        guard x >= 0 else { throw SpecArgumentError(spec: self, key: key, message: "must be >= 0, got \(specNumber(x))") }
        return x
    }

    /// A finite, positive `Float` argument.
    func positiveFloat(_ key: String, at index: Int? = nil, default value: Float?) throws(SpecArgumentError) -> Float {
        let x = try finiteFloat(key, at: index, default: value)
        guard x > 0 else { throw SpecArgumentError(spec: self, key: key, message: "must be > 0, got \(specNumber(x))") }
        return x
    }

    /// `mode=fan-in|fan-out|fan-avg` (default `fan-in`).
    func fanMode(default value: FanMode = .fanIn) throws(SpecArgumentError) -> FanMode {
        FanMode(rawValue: try word("mode", default: value.rawValue, oneOf: FanMode.allCases.map(\.rawValue)))!
    }
}
