import Synchronization

/// A parsed component specification such as `adam(lr=0.001, beta1=0.9)`.
///
/// Grammar (whitespace is allowed between tokens):
///
///     pipeline  := spec ('|' spec)*
///     spec      := name ('(' [argument (',' argument)*] ')')?
///     argument  := [key '='] value
///     value     := number | 'true' | 'false' | word | "quoted string" | spec-with-parens
///                | spec ('|' spec)+                      (a pipeline, inside parentheses)
///     name, key, word := [A-Za-z_][A-Za-z0-9_.+-]*
///     number    := [+-]? digits ['.' digits] [('e'|'E') [+-]? digits]   (also '.5', 'inf', 'nan')
///
/// Positional arguments come before keyword ones: `dense(256, init=he-normal)`.
/// A value may itself be a call, which search-space specs use: `lr=log(1e-4, 1e-1)`, or a
/// pipeline of specs joined by `|`, which composite layers use:
/// `residual(conv(16, 3, padding=1)|batchnorm|relu, shortcut=conv(16, 1)|batchnorm)`.
/// Outside parentheses `|` separates the stages of a top-level pipeline.
///
/// Components read their arguments through the typed getters (`float`, `int`, `bool`,
/// `word`, `string`). Every getter marks its key as used; ``Registry/make(_:)-(String)``
/// then rejects any argument the component never asked for, so a typo such as
/// `adam(lerning_rate=0.1)` is an error instead of being silently ignored.
///
/// `description` prints the canonical form, which re-parses to an equal `Spec`.
public struct Spec: Sendable, Equatable, CustomStringConvertible {
    /// The component name, e.g. `adam`.
    public var name: String
    /// The arguments in the order they were written.
    public var arguments: [Argument]

    /// One argument: a key (nil for a positional argument) and its value.
    public struct Argument: Sendable, Equatable {
        /// The argument's name, or nil for a positional argument.
        public var key: String?
        /// The argument's value.
        public var value: Value
        /// An argument named `key` (nil: positional) with `value`.
        public init(key: String?, value: Value) {
            self.key = key
            self.value = value
        }
    }

    /// The value of an argument.
    public indirect enum Value: Sendable, Equatable, CustomStringConvertible {
        /// A number (`1e-4`, `256`, `inf`), kept as a `Double`.
        case number(Double)
        /// `true` or `false`.
        case bool(Bool)
        /// A bare word such as `he-normal` or `fan-in`.
        case word(String)
        /// A double-quoted string, for values with spaces or punctuation.
        case string(String)
        /// A nested call such as `log(1e-4, 1e-1)`.
        case call(Spec)
        /// Two or more specs joined by `|`, such as `conv(16, 3)|batchnorm|relu`.
        case pipeline([Spec])

        public var description: String {
            switch self {
            case .number(let x): return Spec.format(x)
            case .bool(let b): return b ? "true" : "false"
            case .word(let w): return w
            case .string(let s):
                var escaped = ""
                for c in s {
                    if c == "\\" || c == "\"" { escaped.append("\\") }
                    escaped.append(c)
                }
                return "\"\(escaped)\""
            // `f()` stays a call: printed as a bare `f` it would re-parse as a word.
            case .call(let spec): return spec.arguments.isEmpty ? spec.name + "()" : spec.description
            case .pipeline(let stages): return Spec.describePipeline(stages)
            }
        }

        /// Values are equal when they print the same spec: `nan` equals `nan` (a spec that
        /// says `eps=nan` twice says the same thing), and `0` equals `-0`.
        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): return a == b || (a.isNaN && b.isNaN)
            case (.bool(let a), .bool(let b)): return a == b
            case (.word(let a), .word(let b)): return a == b
            case (.string(let a), .string(let b)): return a == b
            case (.call(let a), .call(let b)): return a == b
            case (.pipeline(let a), .pipeline(let b)): return a == b
            default: return false
            }
        }
    }

    /// Keys (or positional slots) read so far; shared by copies so a factory that copies
    /// the spec still reports usage. Not part of equality.
    let usage: Usage

    /// A spec with `name` and `arguments` (positional ones first).
    public init(name: String, arguments: [Argument] = []) {
        self.name = name
        self.arguments = arguments
        self.usage = Usage()
    }

    /// Parses a single spec (no `|`). Throws ``SpecError`` with the column of the problem.
    public init(parsing text: String) throws(SpecError) {
        var parser = SpecParser(text)
        let spec = try parser.parseSpec()
        try parser.expectEnd()
        self = spec
    }

    /// Parses a pipeline `a(...)|b|c(...)` into its stages.
    public static func parsePipeline(_ text: String) throws(SpecError) -> [Spec] {
        var parser = SpecParser(text)
        let stages = try parser.parsePipeline()
        try parser.expectEnd()
        return stages
    }

    /// Prints a pipeline back: stages joined by `|`.
    public static func describePipeline(_ stages: [Spec]) -> String {
        stages.map(\.description).joined(separator: "|")
    }

    public var description: String {
        if arguments.isEmpty { return name }
        let inner = arguments.map { arg in
            if let key = arg.key { return "\(key)=\(arg.value)" }
            return arg.value.description
        }.joined(separator: ", ")
        return "\(name)(\(inner))"
    }

    public static func == (lhs: Spec, rhs: Spec) -> Bool {
        lhs.name == rhs.name && lhs.arguments == rhs.arguments
    }

    /// Formats a number so that it parses back to the same `Double`: integers without a
    /// fraction (`256`), others in Swift's shortest round-trip form (`0.001`, `1e-05`).
    public static func format(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e15 {
            if x == 0 && x.sign == .minus { return "-0.0" }
            return String(Int64(x))
        }
        return "\(x)"
    }

    /// Formats a `Float` argument so that it parses back to the same `Float`: integers
    /// without a fraction (`2`), others in `Float`'s shortest round-trip form (`0.1`, not the
    /// `Double` expansion `0.10000000149011612`); `nan`, `inf` and `-inf` as words the parser
    /// reads back. Every component's `description` prints its numbers through this (or the
    /// `Double` form above), so canonical specs, and the model files that store them, print
    /// numbers one way.
    public static func format(_ x: Float) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 1e7 { return format(Double(x)) }
        return "\(x)"
    }
}

/// Records which argument slots a component has read. A reference type on purpose:
/// getters on a `let spec` must be able to record usage.
final class Usage: Sendable {
    private let used = Mutex<Set<Int>>([])
    private let requested = Mutex<[String]>([])

    func markUsed(_ index: Int) { used.withLock { _ = $0.insert(index) } }
    func isUsed(_ index: Int) -> Bool { used.withLock { $0.contains(index) } }
    func noteRequested(_ key: String) {
        requested.withLock { if !$0.contains(key) { $0.append(key) } }
    }
    var requestedKeys: [String] { requested.withLock { $0 } }
}

/// A malformed spec string: the message, the 1-based column and the text. Other texts
/// read by the spec parser (KilnTraining's search spaces) use it with their own `subject`.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words.
    public var message: String
    /// 1-based column (in characters) where the problem was found.
    public var column: Int
    /// The text that was parsed.
    public var text: String
    /// What kind of text it is, the start of the line (`malformed spec`, `search space`).
    public var subject: String

    /// An error at `column` (1-based) of `text`.
    public init(message: String, column: Int, text: String, subject: String = "malformed spec") {
        self.message = message
        self.column = column
        self.text = text
        self.subject = subject
    }

    /// One line: `malformed spec "adam(lr=)" at column 9: expected a value`.
    public var description: String {
        "\(subject) \"\(text)\" at column \(column): \(message)"
    }
}
