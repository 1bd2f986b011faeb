import Foundation
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
            case .choice(let values): return "\(name)=choice(\(values.map(\.description).joined(separator: ", ")))"
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
        var parser = SearchSpaceParser(text)
        self.dimensions = try parser.parse()
        self.columns = parser.nameColumns
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

/// A malformed search-space spec: the message and the 1-based column of the problem.
public struct SearchSpaceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words.
    public var message: String
    /// The 1-based column where the problem is.
    public var column: Int
    /// The spec that was parsed.
    public var text: String

    /// An error at `column` (1-based) of `text`.
    public init(message: String, column: Int, text: String) {
        self.message = message
        self.column = column
        self.text = text
    }

    /// `search space "lr=log(0, 1)" at column 8: log bounds must be positive, got 0`.
    public var description: String { "search space \"\(text)\" at column \(column): \(message)" }
}

/// Shortest form with `digits` significant digits: `0.001`, `1e-05`, `128`.
func shortNumber(_ x: Double, digits: Int = 17) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    if digits >= 17 { return "\(x)" }
    let rounded = Double(String(format: "%.\(digits)g", x)) ?? x
    return "\(rounded)"
}

/// The hand-written parser behind ``SearchSpace/init(parsing:)``:
///
///     space        := dimension (',' dimension)*
///     dimension    := name '=' distribution '(' [value (',' value)*] ')'
///     name, word   := [A-Za-z_][A-Za-z0-9_.-]*
///     value        := number | word
struct SearchSpaceParser {
    let text: String
    let scalars: [Unicode.Scalar]
    var position = 0
    /// 1-based column of each parsed dimension's name.
    var nameColumns: [Int] = []

    init(_ text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
    }

    func error(_ message: String, at column: Int? = nil) -> SearchSpaceError {
        SearchSpaceError(message: message, column: (column ?? position) + 1, text: text)
    }

    var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    mutating func skipSpace() { while let c = peek, c == " " || c == "\t" || c == "\n" { position += 1 } }

    func found() -> String { peek.map { "'\($0)'" } ?? "the end of the text" }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool { c == "_" || (c.isASCII && c.properties.isAlphabetic) }
    static func isNameBody(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || (c >= "0" && c <= "9") || c == "." || c == "-"
    }

    mutating func readName() -> String? {
        guard let c = peek, Self.isNameStart(c) else { return nil }
        var s = String.UnicodeScalarView()
        while let c = peek, Self.isNameBody(c) { s.append(c); position += 1 }
        return String(s)
    }

    /// A number or a word, with the column where it starts.
    mutating func readValue() throws(SearchSpaceError) -> (HyperparameterValue, Int) {
        skipSpace()
        let start = position
        if let word = readName() {
            switch word.lowercased() {
            case "inf", "infinity", "nan": throw error("expected a finite number, got '\(word)'", at: start)
            default: return (.word(word), start)
            }
        }
        var s = ""
        while let c = peek, (c >= "0" && c <= "9") || c == "." || c == "e" || c == "E" || c == "+" || c == "-" {
            s.unicodeScalars.append(c); position += 1
        }
        guard !s.isEmpty else { throw error("expected a number or a word, found \(found())") }
        guard let x = Double(s), x.isFinite else { throw error("'\(s)' is not a number", at: start) }
        if x == x.rounded(), abs(x) < 1e15, !s.contains("."), !s.lowercased().contains("e") {
            return (.integer(Int(x)), start)
        }
        return (.number(x), start)
    }

    mutating func parse() throws(SearchSpaceError) -> [SearchSpace.Dimension] {
        var dimensions: [SearchSpace.Dimension] = []
        skipSpace()
        if peek == nil { throw error("empty search space (expected e.g. lr=log(1e-4, 1e-1))") }
        while true {
            skipSpace()
            let nameStart = position
            guard let name = readName() else { throw error("expected a hyper-parameter name, found \(found())") }
            if dimensions.contains(where: { $0.name == name }) { throw error("'\(name)' appears twice", at: nameStart) }
            skipSpace()
            guard peek == "=" else { throw error("expected '=' after '\(name)', found \(found())") }
            position += 1
            skipSpace()
            let kindStart = position
            guard let kind = readName() else { throw error("expected log, uniform, int or choice, found \(found())") }
            guard ["log", "uniform", "int", "choice"].contains(kind) else {
                throw error("unknown distribution '\(kind)' (expected log, uniform, int or choice)", at: kindStart)
            }
            skipSpace()
            guard peek == "(" else { throw error("expected '(' after '\(kind)', found \(found())") }
            position += 1
            var arguments: [(HyperparameterValue, Int)] = []
            skipSpace()
            if peek == ")" { position += 1 } else {
                while true {
                    arguments.append(try readValue())
                    skipSpace()
                    if peek == "," { position += 1; continue }
                    if peek == ")" { position += 1; break }
                    throw error("expected ',' or ')', found \(found())")
                }
            }
            dimensions.append(SearchSpace.Dimension(name: name, distribution: try distribution(kind, arguments, at: kindStart)))
            nameColumns.append(nameStart + 1)
            skipSpace()
            if peek == nil { return dimensions }
            guard peek == "," else { throw error("expected ',' between dimensions, found \(found())") }
            position += 1
        }
    }

    func distribution(_ kind: String, _ arguments: [(HyperparameterValue, Int)], at kindStart: Int) throws(SearchSpaceError) -> SearchSpace.Distribution {
        if kind == "choice" {
            guard !arguments.isEmpty else { throw error("choice needs at least one value", at: kindStart) }
            var values: [HyperparameterValue] = []
            for (v, column) in arguments {
                if values.contains(v) { throw error("choice lists \(v) twice", at: column) }
                values.append(v)
            }
            return .choice(values)
        }
        guard arguments.count == 2 else {
            throw error("\(kind) takes two bounds, \(kind)(low, high); got \(arguments.count) value\(arguments.count == 1 ? "" : "s")", at: kindStart)
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
}
