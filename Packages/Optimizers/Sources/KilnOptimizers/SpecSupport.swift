import KilnRegistry

/// Builds a component's spec text: `name(lr=0.01, momentum=0.9)`, listing the learning rate
/// and every argument that differs from its default.
struct SpecText {
    var name: String
    var parts: [String] = []

    init(_ name: String) { self.name = name }

    mutating func add(_ key: String, _ value: Float, default defaultValue: Float? = nil) {
        if let defaultValue, value.bitPattern == defaultValue.bitPattern { return }
        parts.append("\(key)=\(Spec.format(value))")
    }

    mutating func add(_ key: String, _ value: Int, default defaultValue: Int? = nil) {
        if let defaultValue, value == defaultValue { return }
        parts.append("\(key)=\(value)")
    }

    mutating func add(_ key: String, _ value: Bool, default defaultValue: Bool) {
        if value != defaultValue { parts.append("\(key)=\(value)") }
    }

    var text: String { parts.isEmpty ? name : "\(name)(\(parts.joined(separator: ", ")))" }
}

extension Spec {
    /// `lr` (also the first positional argument): finite and >= 0.
    func learningRate(default value: Float) throws(SpecArgumentError) -> Float {
        try nonNegativeFloat("lr", at: 0, default: value)
    }

    /// A decay rate or momentum in [0, 1).
    func unitRate(_ key: String, default value: Float) throws(SpecArgumentError) -> Float {
        try float(key, default: value, in: 0..<1)
    }
}

/// Preconditions for hyper-parameters given in code (programmer errors); specs are checked
/// with thrown errors before they get here.
@inline(__always)
func checkHyper(_ ok: Bool, _ message: @autoclosure () -> String) {
    precondition(ok, message())
}

/// √x for x that is mathematically >= 0 (second moments, accumulators).
///
/// `x.squareRoot()` alone compiles to a scalar `sqrtss` with a `sqrtf` call on the
/// negative branch (for errno), which stops the loop from vectorizing; clamping at 0 first
/// lets LLVM use packed `sqrtps` (measured 2.5–5× faster on the 235k-parameter MLP).
/// NaN still propagates (`max(.nan, 0)` is NaN); −0 gives +0.
@inline(__always)
func root(_ x: Float) -> Float { max(x, 0).squareRoot() }
