import Foundation
import KilnRegistry
import KilnTensor

/// A hyper-parameter search space: named dimensions, each with a distribution to sample
/// from, parsed from a spec such as
///
///     lr=log(1e-4, 1e-1), l2=log(1e-6, 1e-2), hidden=choice(64, 128, 256)
///
/// Distributions:
/// - `log(a, b)`: log-uniform on [a, b] (0 < a < b). log₁₀ x is uniform on
///   [log₁₀ a, log₁₀ b], so every decade gets the same share of the samples. This is the
///   course notes' advice for learning rates and regularization strengths: sampling
///   uniformly on [1e-4, 1e-1] would spend 90% of the trials in the top decade.
/// - `uniform(a, b)`: uniform on [a, b] (a < b), for parameters whose effect is linear,
///   such as a dropout rate.
/// - `int(a, b)`: an integer drawn uniformly from a...b (a ≤ b).
/// - `choice(v1, v2, ...)`: one of the listed values (numbers or words), equally likely.
///
/// The text is read by KilnRegistry's ``/KilnRegistry/Spec`` parser as an argument list
/// (``/KilnRegistry/Spec/parseLocatedArguments(_:)``), so names, words, numbers and quoting follow the one
/// spec grammar every other Kiln spec uses: a name or word may contain `+`
/// (`act=choice(relu, relu+bn)`), a quoted string is a word (`choice("two words")`), and
/// `true`/`false` are the words `true` and `false`. A number is an integer when it is
/// written as one (`64`, not `64.0` or `1e3`).
///
/// Besides random samples (``sample(using:)``) a space gives a grid
/// (``grid(budget:)``) and a narrower space around the best trials
/// (``shrunk(around:margin:maxFraction:)``): the coarse-to-fine rounds of the notes.
public struct SearchSpace: Sendable, Equatable, CustomStringConvertible {
    /// How one dimension is sampled.
    public enum Distribution: Sendable, Equatable {
        /// Log-uniform on [a, b], 0 < a < b (spec `log(a, b)`).
        case logUniform(Double, Double)
        /// Uniform on [a, b] (spec `uniform(a, b)`).
        case uniform(Double, Double)
        /// An integer uniform on a...b (spec `int(a, b)`).
        case integer(Int, Int)
        /// One of the values, equally likely (spec `choice(v1, v2, …)`).
        case choice([HyperparameterValue])
    }

    /// One named dimension.
    public struct Dimension: Sendable, Equatable, CustomStringConvertible {
        /// The hyper-parameter's name (`lr`).
        public var name: String
        /// How it is sampled.
        public var distribution: Distribution
        /// A dimension `name` sampled from `distribution`.
        public init(name: String, distribution: Distribution) {
            self.name = name
            self.distribution = distribution
        }

        public var description: String { formatted(significantDigits: 17) }

        /// The spec with bounds rounded to `significantDigits` (for display; 17 round-trips).
        public func formatted(significantDigits digits: Int) -> String {
            switch distribution {
            case .logUniform(let a, let b): return "\(name)=log(\(shortNumber(a, digits: digits)), \(shortNumber(b, digits: digits)))"
            case .uniform(let a, let b): return "\(name)=uniform(\(shortNumber(a, digits: digits)), \(shortNumber(b, digits: digits)))"
            case .integer(let a, let b): return "\(name)=int(\(a), \(b))"
            case .choice(let values): return "\(name)=choice(\(values.map { SearchSpace.specText($0, digits: digits) }.joined(separator: ", ")))"
            }
        }
    }

    /// The dimensions in the order they were written.
    public var dimensions: [Dimension]

    /// For a parsed space, the 1-based column where each dimension's name starts in the
    /// spec (for error messages about a dimension); empty for a space built in code. Not
    /// part of equality.
    public private(set) var columns: [Int] = []

    /// A space of `dimensions`, in that order.
    public init(_ dimensions: [Dimension]) {
        self.dimensions = dimensions
    }

    public static func == (lhs: SearchSpace, rhs: SearchSpace) -> Bool { lhs.dimensions == rhs.dimensions }

    /// The column of dimension `name` in the parsed spec, if known.
    public func column(of name: String) -> Int? {
        guard let i = dimensions.firstIndex(where: { $0.name == name }), i < columns.count else { return nil }
        return columns[i]
    }

    /// Parses a spec; throws ``SearchSpaceError`` naming the 1-based column and the problem.
    public init(parsing text: String) throws(SearchSpaceError) {
        (self.dimensions, self.columns) = try Self.parse(text)
    }

    /// The names of the dimensions.
    public var names: [String] { dimensions.map(\.name) }

    /// The dimension called `name`, if any.
    public func dimension(_ name: String) -> Dimension? { dimensions.first { $0.name == name } }

    /// The spec that parses back to this space (numbers in their shortest round-trip form).
    public var description: String { dimensions.map(\.description).joined(separator: ", ") }

    /// The spec with bounds rounded to `significantDigits`, for display.
    public func formatted(significantDigits digits: Int = 4) -> String {
        dimensions.map { $0.formatted(significantDigits: digits) }.joined(separator: ", ")
    }

    // MARK: Sampling

    /// One random configuration: each dimension drawn independently.
    public func sample(using rng: inout RandomGenerator) -> Configuration {
        Configuration(dimensions.map { ($0.name, Self.draw($0.distribution, &rng)) })
    }

    /// `count` random configurations from one generator.
    public func samples(_ count: Int, using rng: inout RandomGenerator) -> [Configuration] {
        (0..<count).map { _ in sample(using: &rng) }
    }

    static func draw(_ distribution: Distribution, _ rng: inout RandomGenerator) -> HyperparameterValue {
        switch distribution {
        case .logUniform(let a, let b):
            let la = log10(a), lb = log10(b)
            // Clamp: exp of the top end may round just past b.
            return .number(min(b, max(a, pow(10, la + rng.uniformDouble() * (lb - la)))))
        case .uniform(let a, let b):
            return .number(min(b, a + rng.uniformDouble() * (b - a)))
        case .integer(let a, let b):
            return .integer(a + rng.int(below: b - a + 1))
        case .choice(let values):
            return values[rng.int(below: values.count)]
        }
    }

    // MARK: Grid

    /// Points per axis of the grid for a budget of about `budget` configurations: every
    /// choice is kept, and the other axes share what is left equally (at least 1 each).
    public func gridPointsPerAxis(budget: Int) -> Int {
        let choiceProduct = dimensions.reduce(1) { n, d in
            if case .choice(let values) = d.distribution { return n * values.count }
            return n
        }
        let axes = dimensions.count(where: { d in
            if case .choice = d.distribution { return false }
            return true
        })
        guard axes > 0 else { return 1 }
        let perAxisBudget = max(1, budget / max(1, choiceProduct))
        var n = max(1, Int(pow(Double(perAxisBudget), 1 / Double(axes)).rounded(.down)))
        // Correct pow's rounding in both directions. k^axes that overflows exceeds any budget.
        func fits(_ k: Int) -> Bool {
            var product = 1
            for _ in 0..<axes {
                let (next, overflow) = product.multipliedReportingOverflow(by: k)
                if overflow || next > perAxisBudget { return false }
                product = next
            }
            return true
        }
        while n > 1 && !fits(n) { n -= 1 }
        while fits(n + 1) { n += 1 }
        return n
    }

    /// The values of one axis of the grid with `n` points. Continuous axes put one point at
    /// the centre of each of `n` equal cells (equal in log₁₀ for `log`), so a grid never
    /// spends trials on the edges of the range; integer axes round those centres (fewer
    /// points when the range is short); choices keep all their values.
    public static func gridValues(_ distribution: Distribution, points n: Int) -> [HyperparameterValue] {
        let n = max(1, n)
        func centres(_ a: Double, _ b: Double) -> [Double] { (0..<n).map { a + (Double($0) + 0.5) * (b - a) / Double(n) } }
        switch distribution {
        case .logUniform(let a, let b): return centres(log10(a), log10(b)).map { .number(pow(10, $0)) }
        case .uniform(let a, let b): return centres(a, b).map { .number($0) }
        case .integer(let a, let b):
            var seen: [Int] = []
            for c in centres(Double(a), Double(b) + 1) {
                let v = min(b, max(a, Int(c.rounded(.down))))
                if !seen.contains(v) { seen.append(v) }
            }
            return seen.map { .integer($0) }
        case .choice(let values): return values
        }
    }

    /// The full grid for about `budget` configurations (see ``gridPointsPerAxis(budget:)``),
    /// the last dimension varying fastest. It exceeds `budget` only when the choices alone
    /// do (every choice is always kept).
    public func grid(budget: Int) -> [Configuration] {
        let n = gridPointsPerAxis(budget: budget)
        let axes = dimensions.map { Self.gridValues($0.distribution, points: n) }
        var result: [[(String, HyperparameterValue)]] = [[]]
        for (d, values) in zip(dimensions, axes) {
            result = result.flatMap { prefix in values.map { prefix + [(d.name, $0)] } }
        }
        return result.map(Configuration.init)
    }

    // MARK: Coarse to fine

    /// A narrower space around the best configurations (`top`, best first): the next,
    /// finer round of a coarse-to-fine search.
    ///
    /// Per continuous or integer dimension (in log₁₀ for `log`), with W the current width:
    /// the new range spans the top values widened by `margin`·W on each side; when that is
    /// wider than `maxFraction`·W it is cut to `maxFraction`·W centred on the best value;
    /// it always stays inside the current range. So every round is at most `maxFraction`
    /// as wide as the last and contains the best value. A `choice` keeps the values that
    /// appear among `top` (in their original order). Dimensions `top` lacks are unchanged.
    public func shrunk(around top: [Configuration], margin: Double = 0.1, maxFraction: Double = 0.5) -> SearchSpace {
        guard let best = top.first else { return self }
        return SearchSpace(dimensions.map { d in
            let values = top.compactMap { $0[d.name] }
            guard let bestValue = best[d.name], !values.isEmpty else { return d }
            func narrow(_ a: Double, _ b: Double, _ xs: [Double], _ centre: Double) -> (Double, Double) {
                let w = b - a
                var lo = xs.min()! - margin * w, hi = xs.max()! + margin * w
                if hi - lo > maxFraction * w {
                    lo = centre - maxFraction * w / 2
                    hi = centre + maxFraction * w / 2
                    if lo < a { hi += a - lo; lo = a }
                    if hi > b { lo -= hi - b; hi = b }
                }
                return (max(a, lo), min(b, hi))
            }
            switch d.distribution {
            case .logUniform(let a, let b):
                let (lo, hi) = narrow(log10(a), log10(b), values.compactMap(\.double).map(log10), log10(bestValue.double ?? a))
                return Dimension(name: d.name, distribution: .logUniform(max(a, pow(10, lo)), min(b, pow(10, hi))))
            case .uniform(let a, let b):
                let (lo, hi) = narrow(a, b, values.compactMap(\.double), bestValue.double ?? a)
                return Dimension(name: d.name, distribution: .uniform(lo, hi))
            case .integer(let a, let b):
                let (lo, hi) = narrow(Double(a), Double(b), values.compactMap(\.double), bestValue.double ?? Double(a))
                let l = max(a, Int(lo.rounded(.down))), h = min(b, Int(hi.rounded(.up)))
                return Dimension(name: d.name, distribution: .integer(l, max(l, h)))
            case .choice(let options):
                let kept = options.filter { values.contains($0) }
                return Dimension(name: d.name, distribution: .choice(kept.isEmpty ? options : kept))
            }
        })
    }

    /// The width of a dimension's range: log₁₀(b/a) decades for `log`, b − a for
    /// `uniform` and `int`, the number of values for `choice`.
    public func width(of name: String) -> Double? {
        guard let d = dimension(name) else { return nil }
        switch d.distribution {
        case .logUniform(let a, let b): return log10(b) - log10(a)
        case .uniform(let a, let b): return b - a
        case .integer(let a, let b): return Double(b - a)
        case .choice(let values): return Double(values.count)
        }
    }
}

/// The value of one hyper-parameter in a configuration.
public enum HyperparameterValue: Sendable, Hashable, CustomStringConvertible {
    /// A real number.
    case number(Double)
    /// An integer (from `int(a, b)` or an integer choice).
    case integer(Int)
    /// A word (from a `choice` of words, e.g. an activation name).
    case word(String)

    /// The value as a number (nil for words).
    public var double: Double? {
        switch self {
        case .number(let x): return x
        case .integer(let n): return Double(n)
        case .word: return nil
        }
    }

    /// Four significant digits for numbers (`0.001234`, `1.5e-05`).
    public var description: String {
        switch self {
        case .number(let x): return shortNumber(x, digits: 4)
        case .integer(let n): return "\(n)"
        case .word(let w): return w
        }
    }
}

/// One point of a search space: a value per dimension, in the space's order.
public struct Configuration: Sendable, Hashable, CustomStringConvertible {
    /// The (name, value) pairs, in the space's order.
    public var entries: [(name: String, value: HyperparameterValue)] {
        zip(names, values).map { ($0, $1) }
    }
    /// The hyper-parameter names, in order.
    public private(set) var names: [String]
    /// The values, in the order of `names`.
    public private(set) var values: [HyperparameterValue]

    /// A configuration of the given (name, value) pairs.
    public init(_ entries: [(String, HyperparameterValue)]) {
        names = entries.map(\.0)
        values = entries.map(\.1)
    }

    /// The value of `name`, or nil.
    public subscript(name: String) -> HyperparameterValue? {
        names.firstIndex(of: name).map { values[$0] }
    }

    /// The numeric value of `name`, or `default` when the configuration has no such name.
    public func double(_ name: String, default value: Double) -> Double { self[name]?.double ?? value }

    /// `lr=0.001234, l2=1.5e-05, hidden=128`.
    public var description: String {
        zip(names, values).map { "\($0)=\($1)" }.joined(separator: ", ")
    }
}

/// A malformed search-space spec: KilnRegistry's ``/KilnRegistry/SpecError`` (message,
/// 1-based column, text) whose line begins `search space`:
/// `search space "lr=log(0, 1)" at column 8: log bounds must be positive, got 0`.
public typealias SearchSpaceError = SpecError

extension SpecError {
    /// A search-space error at `column` (1-based) of `text`.
    static func searchSpace(_ message: String, column: Int, text: String) -> SpecError {
        SpecError(message: message, column: column, text: text, subject: "search space")
    }
}

/// Shortest form with `digits` significant digits: `0.001`, `1e-05`, `128`.
func shortNumber(_ x: Double, digits: Int = 17) -> String {
    guard digits < 17, x.isFinite else { return Spec.format(x) }
    return Spec.format(Double(String(format: "%.\(digits)g", x)) ?? x)
}

// MARK: Parsing

extension SearchSpace {
    /// The distributions a dimension may use, in the order messages list them.
    static let distributionNames = ["log", "uniform", "int", "choice"]

    /// The dimensions written in `text`, with the column of each name. KilnRegistry parses
    /// the text as an argument list, `name=distribution(values), …`, and reports syntax
    /// errors (a repeated name among them); this reads the meaning: each argument a named
    /// call of a known distribution with sensible values, each error at the column of the
    /// part it is about.
    static func parse(_ text: String) throws(SearchSpaceError) -> (dimensions: [Dimension], columns: [Int]) {
        let arguments: [Spec.LocatedArgument]
        do {
            arguments = try Spec.parseLocatedArguments(text)
        } catch {
            throw SearchSpaceError.searchSpace(error.message, column: error.column, text: text)
        }
        guard !arguments.isEmpty else {
            throw SearchSpaceError.searchSpace("empty search space (expected e.g. lr=log(1e-4, 1e-1))", column: 1, text: text)
        }
        var dimensions: [Dimension] = [], columns: [Int] = []
        for argument in arguments {
            let value = argument.value
            guard let name = argument.key else {
                if case .word(let word) = value.value {
                    throw SearchSpaceError.searchSpace("expected '=' after '\(word)', as in lr=log(1e-4, 1e-1)", column: value.column + word.unicodeScalars.count, text: text)
                }
                throw SearchSpaceError.searchSpace("expected a hyper-parameter name before '\(value.text)', as in lr=log(1e-4, 1e-1)", column: value.column, text: text)
            }
            dimensions.append(Dimension(name: name, distribution: try distribution(value, in: text)))
            columns.append(argument.column)
        }
        return (dimensions, columns)
    }

    /// The distribution a dimension's value names: a call such as `log(1e-4, 1e-1)`.
    static func distribution(_ value: Spec.LocatedValue, in text: String) throws(SearchSpaceError) -> Distribution {
        func error(_ message: String, at column: Int) -> SearchSpaceError {
            SearchSpaceError.searchSpace(message, column: column, text: text)
        }
        let kind: String
        switch value.value {
        case .call(let call):
            kind = call.name
        case .word(let word) where distributionNames.contains(word):
            throw error("expected '(' after '\(word)'", at: value.column + word.unicodeScalars.count)
        case .word(let word):
            kind = word
        default:
            throw error("expected log, uniform, int or choice, found '\(value.text)'", at: value.column)
        }
        guard distributionNames.contains(kind) else {
            throw error("unknown distribution '\(kind)' (expected log, uniform, int or choice)", at: value.column)
        }
        // A distribution's values are positional: `log(low=1e-4, high=0.1)` would let two
        // spellings mean one space, and the printed form uses only one.
        var arguments: [(HyperparameterValue, Int)] = []
        for argument in value.arguments {
            if let key = argument.key {
                throw error("\(kind) takes its values in order, without names; got '\(key)='", at: argument.column)
            }
            arguments.append((try hyperparameterValue(argument.value, in: text), argument.value.column))
        }
        if kind == "choice" {
            guard !arguments.isEmpty else { throw error("choice needs at least one value", at: value.column) }
            var values: [HyperparameterValue] = []
            for (v, column) in arguments {
                if values.contains(v) { throw error("choice lists \(v) twice", at: column) }
                values.append(v)
            }
            return .choice(values)
        }
        guard arguments.count == 2 else {
            throw error("\(kind) takes two bounds, \(kind)(low, high); got \(arguments.count) value\(arguments.count == 1 ? "" : "s")", at: value.column)
        }
        var bounds: [Double] = []
        for (v, column) in arguments {
            guard let x = v.double else { throw error("\(kind) bounds must be numbers, got '\(v)'", at: column) }
            bounds.append(x)
        }
        let (a, b) = (bounds[0], bounds[1])
        switch kind {
        case "log":
            guard a > 0 else { throw error("log bounds must be positive, got \(shortNumber(a))", at: arguments[0].1) }
            guard b > a else { throw error("log(low, high) needs low < high, got \(shortNumber(a)) and \(shortNumber(b))", at: arguments[1].1) }
            return .logUniform(a, b)
        case "uniform":
            guard b > a else { throw error("uniform(low, high) needs low < high, got \(shortNumber(a)) and \(shortNumber(b))", at: arguments[1].1) }
            return .uniform(a, b)
        default:
            for (v, column) in arguments {
                guard let x = v.double, x == x.rounded(), abs(x) < 1e15 else { throw error("int bounds must be integers, got \(v)", at: column) }
            }
            guard b >= a else { throw error("int(low, high) needs low <= high, got \(Int(a)) and \(Int(b))", at: arguments[1].1) }
            guard b - a < 1e9 else { throw error("int range is too large", at: arguments[1].1) }
            return .integer(Int(a), Int(b))
        }
    }

    /// One value of a distribution. A number is an ``HyperparameterValue/integer(_:)`` when
    /// written as an integer (no `.`, no exponent) and exact in a `Double`, so `choice(64,
    /// 128)` gives integers and `choice(1.0, 2.5)` or `1e3` numbers; the parsed `Double`
    /// cannot tell `64` from `64.0`, so this reads the value's text. Words and quoted
    /// strings are words, and so are `true` and `false` (a hyper-parameter value has no
    /// boolean). Non-finite numbers are refused, and so are bare words that spell one
    /// (`Inf`, `NaN`, `infinity`), which a reader would take for numbers.
    static func hyperparameterValue(_ value: Spec.LocatedValue, in text: String) throws(SearchSpaceError) -> HyperparameterValue {
        func error(_ message: String) -> SearchSpaceError {
            SearchSpaceError.searchSpace(message, column: value.column, text: text)
        }
        switch value.value {
        case .number(let x):
            guard x.isFinite else {
                if x.isNaN || value.text.lowercased().hasSuffix("inf") { throw error("expected a finite number, got '\(value.text)'") }
                throw error("'\(value.text)' is not a number a Double can hold")
            }
            let writtenAsInteger = !value.text.contains { $0 == "." || $0 == "e" || $0 == "E" }
            if writtenAsInteger, x == x.rounded(), abs(x) < 1e15 { return .integer(Int(x)) }
            return .number(x)
        case .word(let word):
            if ["inf", "infinity", "nan"].contains(word.lowercased()) { throw error("expected a finite number, got '\(word)'") }
            return .word(word)
        case .string(let string):
            return .word(string)
        case .bool(let flag):
            return .word(flag ? "true" : "false")
        case .call, .pipeline:
            throw error("expected a number or a word, found '\(value.text)'")
        }
    }

    /// A choice's value as spec text that parses back to it (at 17 digits): a number with
    /// `digits` significant digits and a `.0` when it is whole (`64.0`; a bare `64` would
    /// read back as an integer); a word bare when Spec reads it back as the same word (and
    /// `true`/`false`, which this reader turns back into words), in quotes otherwise
    /// (`"two words"`).
    static func specText(_ value: HyperparameterValue, digits: Int) -> String {
        switch value {
        case .number(let x):
            let text = shortNumber(x, digits: digits)
            return text.contains { $0 == "." || $0 == "e" || $0 == "E" } ? text : text + ".0"
        case .integer:
            return value.description
        case .word(let word):
            if word == "true" || word == "false" { return word }
            return Spec.Value.wordOrString(word).description
        }
    }
}
