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


extension Spec {
    /// A finite `Float` argument that is >= 0.
    func nonNegativeFloat(_ key: String, at index: Int? = nil, default value: Float?) throws(SpecArgumentError) -> Float {
        let x = try float(key, at: index, default: value)
        guard x.isFinite, x >= 0 else {
            throw SpecArgumentError(spec: self, key: key, message: "must be finite and >= 0, got \(specNumber(x))")
        }
        return x
    }
}
