import KilnRegistry

extension Spec {
    /// A finite `Double` argument.
    func finite(_ key: String, at index: Int? = nil, default value: Double? = nil) throws(SpecArgumentError) -> Double {
        let x = try double(key, at: index, default: value)
        guard x.isFinite else { throw SpecArgumentError(spec: self, key: key, message: "must be finite, got \(x)") }
        return x
    }

    /// A size argument: an integer >= 1.
    func size(_ key: String, at index: Int? = nil) throws(SpecArgumentError) -> Int {
        try int(key, at: index, default: nil, in: 1...(1 << 20))
    }

    func interpolation(default value: Interpolation = .bilinear) throws(SpecArgumentError) -> Interpolation {
        Interpolation(rawValue: try word("interpolation", default: value.rawValue, oneOf: Interpolation.allCases.map(\.rawValue)))!
    }

    func fill() throws(SpecArgumentError) -> Double { try finite("fill", default: 0) }
}

/// A number as spec text that parses back to the same `Double`.
func specText(_ x: Double) -> String { Spec.format(x) }
