/// Where the parts of a spec were written, for callers that give a spec a meaning of their
/// own and want their errors to point into the text as ``SpecError`` does.
///
/// A search space is the example: `lr=log(1e-4, 1e-1), hidden=choice(64, 128)` is a bare
/// argument list in ``Spec``'s grammar, whose values are calls. Its reader checks that
/// `log`'s bounds are positive and ordered, and says at which column they are not; it also
/// needs the text of a number, because `64` and `64.0` are the same `Double` but one is an
/// integer choice and the other a real one.
extension Spec {
    /// One argument as written: its key, its value and the column where it starts.
    public struct LocatedArgument: Sendable, Equatable {
        /// The argument's name, or nil for a positional argument.
        public var key: String?
        /// The 1-based column (in Unicode scalars, as ``SpecError/column``) where the
        /// argument starts: its key, or its value when it is positional.
        public var column: Int
        /// The value, with its own column and text.
        public var value: LocatedValue

        /// An argument `key` (nil: positional) starting at `column`, with `value`.
        public init(key: String?, column: Int, value: LocatedValue) {
            self.key = key
            self.column = column
            self.value = value
        }

        /// The argument without locations, as ``Spec/arguments`` holds it.
        public var argument: Argument { Argument(key: key, value: value.value) }
    }

    /// One value as written: the parsed value, its column, its text, and for a call the
    /// locations of the call's own arguments.
    public struct LocatedValue: Sendable, Equatable {
        /// The parsed value.
        public var value: Value
        /// The 1-based column of the value's first character: a number's sign or first
        /// digit, a word's first letter, a string's opening quote, a call's name.
        public var column: Int
        /// The value exactly as written, without the whitespace around it: `1e3`, `1000`
        /// and `1000.0` are all `.number(1000)` but keep their own text, so a caller can
        /// tell an integer literal from a real one.
        public var text: String
        /// For a ``Spec/Value/call(_:)``, its arguments as written (empty for `f()`); empty
        /// for every other value. The stages of a pipeline value are not located.
        public var arguments: [LocatedArgument]

        /// A value written as `text` at `column`, with the located `arguments` of a call.
        public init(value: Value, column: Int, text: String, arguments: [LocatedArgument] = []) {
            self.value = value
            self.column = column
            self.text = text
            self.arguments = arguments
        }
    }

    /// Parses a bare argument list, `key=value, key=value, …`: what stands between a
    /// call's parentheses, with the same rules (positional arguments first, no key twice,
    /// values as in ``Spec``'s grammar), but without a name and parentheses around it.
    /// Text that is empty or only whitespace has no arguments.
    ///
    /// Throws ``SpecError`` with the column of a syntax error; every argument and value
    /// comes with its column so that the caller's own checks can name one too.
    public static func parseLocatedArguments(_ text: String) throws(SpecError) -> [LocatedArgument] {
        var parser = SpecParser(text)
        return try parser.parseArgumentList()
    }
}

extension Spec.Value {
    /// `text` as a value that prints as written: ``Spec/Value/word(_:)`` when the text
    /// reads back as that bare word (`he-normal`), otherwise ``Spec/Value/string(_:)``,
    /// printed in quotes (`"two words"`, `"true"`, `"1e-3"`, `""`). For code that prints
    /// words it holds as spec text and needs that text to parse back to the same words.
    public static func wordOrString(_ text: String) -> Spec.Value {
        var parser = SpecParser(text)
        if let parsed = try? parser.parseValue(depth: 0), parsed.value == .word(text) { return .word(text) }
        return .string(text)
    }
}
