/// A hand-written recursive-descent parser for ``Spec`` text. Works on the Unicode scalars
/// of the input so that columns count characters a user sees in ASCII specs.
struct SpecParser {
    private let text: String
    private let scalars: [Unicode.Scalar]
    private var position = 0

    /// Nesting limit for calls inside values, so hostile input cannot exhaust the stack.
    static let maxDepth = 32

    init(_ text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
    }

    // MARK: Grammar

    mutating func parsePipeline() throws(SpecError) -> [Spec] {
        var stages = [try parseSpec()]
        skipSpace()
        while peek == "|" {
            position += 1
            stages.append(try parseSpec())
            skipSpace()
        }
        return stages
    }

    mutating func parseSpec(depth: Int = 0) throws(SpecError) -> Spec {
        let (name, arguments) = try parseCall(depth: depth)
        return Spec(name: name, arguments: arguments.map(\.argument))
    }

    /// `name ['(' arguments ')']`, keeping where each argument was written. The located
    /// form is the parser's only form: ``Spec`` drops the locations, and
    /// ``Spec/parseLocatedArguments(_:)`` hands them out.
    mutating func parseCall(depth: Int) throws(SpecError) -> (name: String, arguments: [Spec.LocatedArgument]) {
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
        skipSpace()
        guard let name = readIdentifier() else {
            if peek == nil { throw error("expected a name, found the end of the text") }
            throw error("expected a name, found '\(peek!)'")
        }
        skipSpace()
        guard peek == "(" else { return (name, []) }
        position += 1
        return (name, try parseArguments(depth: depth, closedBy: ")"))
    }

    /// A whole text that is an argument list, `a=1, b=log(2, 3)` (see
    /// ``Spec/parseLocatedArguments(_:)``).
    mutating func parseArgumentList() throws(SpecError) -> [Spec.LocatedArgument] {
        try parseArguments(depth: 0, closedBy: nil)
    }

    /// `[argument (',' argument)*]` up to `close`: `)` inside a call (consumed), or nil for
    /// an argument list that runs to the end of the text. One loop for both, so a bare
    /// argument list follows exactly the rules of a call's (positional arguments first, no
    /// key twice, pipelines as values).
    private mutating func parseArguments(depth: Int, closedBy close: Unicode.Scalar?) throws(SpecError) -> [Spec.LocatedArgument] {
        var arguments: [Spec.LocatedArgument] = []
        var sawKeyword = false
        var keys: Set<String> = []
        skipSpace()
        if peek == close {
            if close != nil { position += 1 }
            return []
        }
        while true {
            skipSpace()
            let argumentStart = position
            var argument = try parseArgument(depth: depth)
            skipSpace()
            if peek == "|" {
                let valueStart = argument.value.column - 1
                let stages = try parsePipelineValue(first: argument.value.value, depth: depth, start: argumentStart)
                argument.value = located(stages, from: valueStart)
            }
            if let key = argument.key {
                if keys.contains(key) {
                    throw error("duplicate argument '\(key)'", at: argumentStart)
                }
                keys.insert(key)
                sawKeyword = true
            } else if sawKeyword {
                throw error("positional argument after a keyword argument", at: argumentStart)
            }
            arguments.append(argument)
            skipSpace()
            if peek == "," {
                position += 1
                continue
            }
            if peek == close {
                if close != nil { position += 1 }
                return arguments
            }
            let expected = close.map { "',' or '\($0)'" } ?? "',' or the end of the text"
            throw error("expected \(expected), found \(peek.map { "'\($0)'" } ?? "the end of the text")")
        }
    }

    /// The rest of a pipeline value `a|b(…)|c` whose first stage `first` is parsed: a word
    /// or a call becomes a stage; a number, a boolean or a string cannot be one.
    private mutating func parsePipelineValue(first: Spec.Value, depth: Int, start: Int) throws(SpecError) -> Spec.Value {
        var stages: [Spec]
        switch first {
        case .word(let name): stages = [Spec(name: name)]
        case .call(let spec): stages = [spec]
        default: throw error("'|' joins layer specs; '\(first)' is not one", at: start)
        }
        while peek == "|" {
            position += 1
            stages.append(try parseSpec(depth: depth + 1))
            skipSpace()
        }
        return .pipeline(stages)
    }

    private mutating func parseArgument(depth: Int) throws(SpecError) -> Spec.LocatedArgument {
        // Look ahead for `identifier =`.
        let start = position
        if let key = readIdentifier() {
            skipSpace()
            if peek == "=" {
                position += 1
                skipSpace()
                return Spec.LocatedArgument(key: key, column: start + 1, value: try parseValue(depth: depth))
            }
        }
        position = start
        return Spec.LocatedArgument(key: nil, column: start + 1, value: try parseValue(depth: depth))
    }

    mutating func parseValue(depth: Int) throws(SpecError) -> Spec.LocatedValue {
        skipSpace()
        let start = position
        guard let c = peek else { throw error("expected a value, found the end of the text") }
        if c == "\"" {
            // Read first: `located` must see the position after the closing quote.
            let string = try readQuoted()
            return located(.string(string), from: start)
        }
        if isNumberStart(c) {
            if let number = readNumber() { return located(.number(number), from: start) }
            position = start
        }
        if let word = readIdentifierAhead() {
            position += word.unicodeScalars.count
            switch word {
            case "true": return located(.bool(true), from: start)
            case "false": return located(.bool(false), from: start)
            case "inf", "nan": return located(.number(word == "inf" ? .infinity : .nan), from: start)
            default: break
            }
            skipSpace()
            if peek == "(" {
                position = start
                let (name, arguments) = try parseCall(depth: depth + 1)
                return located(.call(Spec(name: name, arguments: arguments.map(\.argument))), from: start, arguments: arguments)
            }
            return located(.word(word), from: start)
        }
        throw error("expected a value, found '\(c)'")
    }

    /// `value` as written from scalar index `start` up to the current position, less the
    /// whitespace the parser may have looked past after it.
    private func located(_ value: Spec.Value, from start: Int, arguments: [Spec.LocatedArgument] = []) -> Spec.LocatedValue {
        var end = position
        while end > start, Self.isSpace(scalars[end - 1]) { end -= 1 }
        var written = String.UnicodeScalarView()
        written.append(contentsOf: scalars[start..<end])
        return Spec.LocatedValue(value: value, column: start + 1, text: String(written), arguments: arguments)
    }

    mutating func expectEnd() throws(SpecError) {
        skipSpace()
        if let c = peek { throw error("unexpected '\(c)' after the end of the spec") }
    }

    // MARK: Lexing

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func skipSpace() {
        while let c = peek, Self.isSpace(c) { position += 1 }
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_"
    }

    private static func isIdentifierContinue(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9") || c == "-" || c == "." || c == "+"
    }

    private func readIdentifierAhead() -> String? {
        guard let c = peek, Self.isIdentifierStart(c) else { return nil }
        var end = position + 1
        while end < scalars.count, Self.isIdentifierContinue(scalars[end]) { end += 1 }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[position..<end])
        return String(s)
    }

    private mutating func readIdentifier() -> String? {
        guard let word = readIdentifierAhead() else { return nil }
        position += word.unicodeScalars.count
        return word
    }

    private func isNumberStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "0" && c <= "9") || c == "-" || c == "+" || c == "."
    }

    /// Reads a number; nil (position unchanged by the caller) if the text is not one.
    private mutating func readNumber() -> Double? {
        let start = position
        var sign = ""
        if peek == "-" || peek == "+" {
            sign = peek == "-" ? "-" : ""
            position += 1
            if let word = readIdentifierAhead(), word == "inf" {
                position += 3
                return sign == "-" ? -.infinity : .infinity
            }
        }
        var digits = ""
        var sawDigit = false
        while let c = peek, c >= "0" && c <= "9" { digits.unicodeScalars.append(c); position += 1; sawDigit = true }
        if peek == "." {
            digits += "."
            position += 1
            while let c = peek, c >= "0" && c <= "9" { digits.unicodeScalars.append(c); position += 1; sawDigit = true }
        }
        guard sawDigit else { position = start; return nil }
        if peek == "e" || peek == "E" {
            let save = position
            var exponent = "e"
            position += 1
            if peek == "-" || peek == "+" { exponent.unicodeScalars.append(peek!); position += 1 }
            var expDigits = false
            while let c = peek, c >= "0" && c <= "9" { exponent.unicodeScalars.append(c); position += 1; expDigits = true }
            if expDigits { digits += exponent } else { position = save }
        }
        // A number must not run straight into an identifier character (`3x`).
        if let c = peek, Self.isIdentifierStart(c) { position = start; return nil }
        return Double(sign + (digits.hasPrefix(".") ? "0" + digits : digits))
    }

    private mutating func readQuoted() throws(SpecError) -> String {
        let start = position
        position += 1
        var out = String.UnicodeScalarView()
        while let c = peek {
            position += 1
            if c == "\"" { return String(out) }
            if c == "\\" {
                guard let next = peek else { break }
                out.append(next)
                position += 1
            } else {
                out.append(c)
            }
        }
        throw error("unterminated string", at: start)
    }

    private func error(_ message: String, at index: Int? = nil) -> SpecError {
        SpecError(message: message, column: (index ?? position) + 1, text: text)
    }
}
