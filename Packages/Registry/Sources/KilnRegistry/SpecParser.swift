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
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
        skipSpace()
        guard let name = readIdentifier() else {
            if peek == nil { throw error("expected a name, found the end of the text") }
            throw error("expected a name, found '\(peek!)'")
        }
        skipSpace()
        guard peek == "(" else { return Spec(name: name) }
        position += 1
        var arguments: [Spec.Argument] = []
        var sawKeyword = false
        var keys: Set<String> = []
        skipSpace()
        if peek == ")" {
            position += 1
            return Spec(name: name, arguments: [])
        }
        while true {
            skipSpace()
            let argumentStart = position
            var argument = try parseArgument(depth: depth)
            skipSpace()
            if peek == "|" {
                argument.value = try parsePipelineValue(first: argument.value, depth: depth, start: argumentStart)
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
            switch peek {
            case ",":
                position += 1
            case ")":
                position += 1
                return Spec(name: name, arguments: arguments)
            case nil:
                throw error("expected ',' or ')', found the end of the text")
            case let c?:
                throw error("expected ',' or ')', found '\(c)'")
            }
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

    private mutating func parseArgument(depth: Int) throws(SpecError) -> Spec.Argument {
        // Look ahead for `identifier =`.
        let save = position
        if let key = readIdentifier() {
            skipSpace()
            if peek == "=" {
                position += 1
                skipSpace()
                return Spec.Argument(key: key, value: try parseValue(depth: depth))
            }
        }
        position = save
        return Spec.Argument(key: nil, value: try parseValue(depth: depth))
    }

    private mutating func parseValue(depth: Int) throws(SpecError) -> Spec.Value {
        skipSpace()
        guard let c = peek else { throw error("expected a value, found the end of the text") }
        if c == "\"" { return .string(try readQuoted()) }
        if isNumberStart(c) {
            let start = position
            if let number = readNumber() { return .number(number) }
            position = start
        }
        if let word = readIdentifierAhead() {
            switch word {
            case "true": position += word.unicodeScalars.count; return .bool(true)
            case "false": position += word.unicodeScalars.count; return .bool(false)
            case "inf", "nan": position += word.unicodeScalars.count; return .number(word == "inf" ? .infinity : .nan)
            default: break
            }
            let save = position
            position += word.unicodeScalars.count
            skipSpace()
            if peek == "(" {
                position = save
                return .call(try parseSpec(depth: depth + 1))
            }
            return .word(word)
        }
        throw error("expected a value, found '\(c)'")
    }

    mutating func expectEnd() throws(SpecError) {
        skipSpace()
        if let c = peek { throw error("unexpected '\(c)' after the end of the spec") }
    }

    // MARK: Lexing

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func skipSpace() {
        while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { position += 1 }
    }

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
