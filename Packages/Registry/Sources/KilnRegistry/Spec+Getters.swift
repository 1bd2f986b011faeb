
/// Typed access to a spec's arguments.
///
/// Each getter names a key and, optionally, the positional slot the same argument may
/// take (`dense(256)` and `dense(units=256)` are the same when `units` is read with
/// `at: 0`). Missing arguments take the default; a missing argument without a default,
/// a value of the wrong type or out of range throws ``SpecArgumentError``.
extension Spec {
    /// Finds the argument for `key` (or the positional slot `index`) and marks it used.
    public func value(_ key: String, at index: Int? = nil) -> Value? {
        usage.noteRequested(key)
        if let i = arguments.firstIndex(where: { $0.key == key }) {
            usage.markUsed(i)
            return arguments[i].value
        }
        if let index {
            let positional = arguments.indices.filter { arguments[$0].key == nil }
            if index < positional.count {
                usage.markUsed(positional[index])
                return arguments[positional[index]].value
            }
        }
        return nil
    }

    /// Whether the argument is present (does not mark it used).
    public func has(_ key: String) -> Bool { arguments.contains { $0.key == key } }

    /// A floating-point argument. `range` bounds it (closed, half-open or one-sided).
    public func float<R: RangeExpression>(
        _ key: String, at index: Int? = nil, default defaultValue: Float? = nil, in range: R
    ) throws(SpecArgumentError) -> Float where R.Bound == Float {
        let x = try float(key, at: index, default: defaultValue)
        guard range.contains(x) else {
            throw SpecArgumentError(spec: self, key: key, message: "\(Spec.format(x)) is out of range \(Self.describe(range))")
        }
        return x
    }

    /// A floating-point argument without range check (NaN is rejected).
    public func float(_ key: String, at index: Int? = nil, default defaultValue: Float? = nil) throws(SpecArgumentError) -> Float {
        Float(try double(key, at: index, default: defaultValue.map(Double.init)))
    }

    /// A finite floating-point argument: NaN is rejected (as by every getter), and so are
    /// `inf` and `-inf`.
    public func finiteFloat(_ key: String, at index: Int? = nil, default defaultValue: Float? = nil) throws(SpecArgumentError) -> Float {
        let x = try float(key, at: index, default: defaultValue)
        guard x.isFinite else { throw SpecArgumentError(spec: self, key: key, message: "must be finite, got \(Spec.format(x))") }
        return x
    }

    /// A finite floating-point argument that is >= 0 (rates, decays, regularization
    /// strengths).
    public func nonNegativeFloat(_ key: String, at index: Int? = nil, default defaultValue: Float? = nil) throws(SpecArgumentError) -> Float {
        let x = try float(key, at: index, default: defaultValue)
        guard x.isFinite, x >= 0 else {
            throw SpecArgumentError(spec: self, key: key, message: "must be finite and >= 0, got \(Spec.format(x))")
        }
        return x
    }

    /// A finite floating-point argument that is > 0 (epsilons, scales, gains).
    public func positiveFloat(_ key: String, at index: Int? = nil, default defaultValue: Float? = nil) throws(SpecArgumentError) -> Float {
        let x = try float(key, at: index, default: defaultValue)
        guard x.isFinite, x > 0 else {
            throw SpecArgumentError(spec: self, key: key, message: "must be finite and > 0, got \(Spec.format(x))")
        }
        return x
    }

    /// A `Double` argument (NaN is rejected).
    public func double(_ key: String, at index: Int? = nil, default defaultValue: Double? = nil) throws(SpecArgumentError) -> Double {
        guard let value = value(key, at: index) else {
            if let defaultValue { return defaultValue }
            throw SpecArgumentError(spec: self, key: key, message: "is required")
        }
        guard case .number(let x) = value else {
            throw SpecArgumentError(spec: self, key: key, message: "expected a number, found '\(value)'")
        }
        guard !x.isNaN else { throw SpecArgumentError(spec: self, key: key, message: "must not be nan") }
        return x
    }

    /// An integer argument; `range` bounds it.
    public func int<R: RangeExpression>(
        _ key: String, at index: Int? = nil, default defaultValue: Int? = nil, in range: R
    ) throws(SpecArgumentError) -> Int where R.Bound == Int {
        let n = try int(key, at: index, default: defaultValue)
        guard range.contains(n) else {
            throw SpecArgumentError(spec: self, key: key, message: "\(n) is out of range \(Self.describe(range))")
        }
        return n
    }

    /// An integer argument (a number with no fraction).
    public func int(_ key: String, at index: Int? = nil, default defaultValue: Int? = nil) throws(SpecArgumentError) -> Int {
        guard let value = value(key, at: index) else {
            if let defaultValue { return defaultValue }
            throw SpecArgumentError(spec: self, key: key, message: "is required")
        }
        guard case .number(let x) = value, x == x.rounded(), abs(x) < 1e15 else {
            throw SpecArgumentError(spec: self, key: key, message: "expected an integer, found '\(value)'")
        }
        return Int(x)
    }

    /// A boolean argument (`true`/`false`).
    public func bool(_ key: String, at index: Int? = nil, default defaultValue: Bool? = nil) throws(SpecArgumentError) -> Bool {
        guard let value = value(key, at: index) else {
            if let defaultValue { return defaultValue }
            throw SpecArgumentError(spec: self, key: key, message: "is required")
        }
        guard case .bool(let b) = value else {
            throw SpecArgumentError(spec: self, key: key, message: "expected true or false, found '\(value)'")
        }
        return b
    }

    /// A bare word or quoted string argument, optionally one of a fixed set.
    public func word(
        _ key: String, at index: Int? = nil, default defaultValue: String? = nil, oneOf choices: [String]? = nil
    ) throws(SpecArgumentError) -> String {
        guard let value = value(key, at: index) else {
            if let defaultValue { return defaultValue }
            throw SpecArgumentError(spec: self, key: key, message: "is required")
        }
        let text: String
        switch value {
        case .word(let w), .string(let w): text = w
        case .call(let s): text = s.description
        case .pipeline(let stages): text = Spec.describePipeline(stages)
        default:
            throw SpecArgumentError(spec: self, key: key, message: "expected a word, found '\(value)'")
        }
        if let choices, !choices.contains(text) {
            throw SpecArgumentError(spec: self, key: key, message: "'\(text)' is not one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// A pipeline argument, as its stages: a word (`relu`) or a call (`conv(16, 3)`) is a
    /// one-stage pipeline, `a|b|c` (written inside the parentheses) has three. nil when the
    /// argument is absent; numbers, booleans and strings are errors.
    public func pipeline(_ key: String, at index: Int? = nil) throws(SpecArgumentError) -> [Spec]? {
        guard let value = value(key, at: index) else { return nil }
        switch value {
        case .word(let name): return [Spec(name: name)]
        case .call(let spec): return [spec]
        case .pipeline(let stages): return stages
        default:
            throw SpecArgumentError(spec: self, key: key, message: "expected a layer pipeline such as conv(16, 3)|relu, found '\(value)'")
        }
    }

    /// Throws for every argument no getter has read: a typo or a key the component
    /// does not have. The error lists the keys the component does accept.
    public func checkAllArgumentsUsed() throws(SpecArgumentError) {
        for (i, arg) in arguments.enumerated() where !usage.isUsed(i) {
            let accepted = usage.requestedKeys
            let list = accepted.isEmpty ? "it takes no arguments" : "valid keys: \(accepted.joined(separator: ", "))"
            if let key = arg.key {
                throw SpecArgumentError(spec: self, key: key, message: "unknown key; \(list)")
            }
            throw SpecArgumentError(spec: self, key: nil, message: "unexpected positional argument '\(arg.value)'; \(list)")
        }
    }

    /// A copy with fresh usage tracking (what ``Registry`` hands to each factory call).
    public func freshCopy() -> Spec { Spec(name: name, arguments: arguments) }

    private static func describe<R: RangeExpression>(_ range: R) -> String {
        switch range {
        case let r as ClosedRange<Float>: return "[\(r.lowerBound), \(r.upperBound)]"
        case let r as Range<Float>: return "[\(r.lowerBound), \(r.upperBound))"
        case let r as PartialRangeFrom<Float>: return ">= \(r.lowerBound)"
        case let r as PartialRangeThrough<Float>: return "<= \(r.upperBound)"
        case let r as PartialRangeUpTo<Float>: return "< \(r.upperBound)"
        case let r as ClosedRange<Int>: return "[\(r.lowerBound), \(r.upperBound)]"
        case let r as Range<Int>: return "[\(r.lowerBound), \(r.upperBound))"
        case let r as PartialRangeFrom<Int>: return ">= \(r.lowerBound)"
        case let r as PartialRangeThrough<Int>: return "<= \(r.upperBound)"
        case let r as PartialRangeUpTo<Int>: return "< \(r.upperBound)"
        default: return "\(range)"
        }
    }
}

/// A well-formed spec whose argument is missing, of the wrong type, out of range or unknown.
public struct SpecArgumentError: Error, Sendable, CustomStringConvertible {
    /// The spec as written back by its `description`.
    public var spec: String
    /// The argument at fault, or nil when the problem is not one argument's.
    public var key: String?
    /// What is wrong ("-1 is out of range >= 0.0").
    public var message: String

    /// An error about `key` of `spec`.
    public init(spec: Spec, key: String?, message: String) {
        self.spec = spec.description
        self.key = key
        self.message = message
    }

    /// One line: `in "adam(lr=-1)": lr: -1 is out of range >= 0.0`.
    public var description: String {
        if let key { return "in \"\(spec)\": \(key): \(message)" }
        return "in \"\(spec)\": \(message)"
    }
}
