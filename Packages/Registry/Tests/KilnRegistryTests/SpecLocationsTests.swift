import Testing
@testable import KilnRegistry

@Suite struct SpecLocationsTests {
    /// A search space is a bare argument list whose values are calls; every argument and
    /// value knows its column, and a call's arguments know theirs.
    @Test func argumentsAndNestedValuesKnowTheirColumns() throws {
        let text = "lr=log(1e-4, 1e-1),  hidden = choice(64, 64.0, \"two words\")"
        let arguments = try Spec.parseLocatedArguments(text)
        #expect(arguments.map(\.key) == ["lr", "hidden"])
        #expect(arguments.map(\.column) == [1, 22])
        #expect(arguments.map(\.value.column) == [4, 31])
        #expect(arguments.map(\.value.text) == ["log(1e-4, 1e-1)", "choice(64, 64.0, \"two words\")"])
        let log = arguments[0].value
        #expect(log.value == .call(Spec(name: "log", arguments: [.init(key: nil, value: .number(1e-4)), .init(key: nil, value: .number(0.1))])))
        #expect(log.arguments.map(\.column) == [8, 14])
        #expect(log.arguments.map(\.value.text) == ["1e-4", "1e-1"])
        // The text tells `64` from `64.0`, which are the same Double.
        let choice = arguments[1].value.arguments
        #expect(choice.map(\.value.value) == [.number(64), .number(64), .string("two words")])
        #expect(choice.map(\.value.text) == ["64", "64.0", "\"two words\""])
        #expect(choice.map(\.value.column) == [38, 42, 48])
    }

    /// The located form drops to the plain one: the same arguments as the call's spec.
    @Test(arguments: [
        "lr=log(1e-4, 1e-1), hidden=choice(64, 128, 256)", "256, init=he-normal", "a=x|y(2)|z, b=\"q \\\"r\\\"\", c=-inf",
        "f(g(h(1)), k=true)", "x=e1()",
    ])
    func locatedArgumentsMatchTheSpec(text: String) throws {
        let located = try Spec.parseLocatedArguments(text)
        #expect(located.map(\.argument) == (try Spec(parsing: "call(\(text))").arguments))
    }

    @Test func valueTextLeavesOutTheSpaceAroundIt() throws {
        let arguments = try Spec.parseLocatedArguments("  a =  relu  , b=  x | y  ,c=f (1) ")
        #expect(arguments.map(\.value.text) == ["relu", "x | y", "f (1)"])
        #expect(arguments.map(\.value.column) == [8, 20, 30])
        #expect(arguments[1].value.value == .pipeline([Spec(name: "x"), Spec(name: "y")]))
        #expect(arguments[1].value.arguments.isEmpty)
    }

    @Test func emptyTextHasNoArguments() throws {
        #expect(try Spec.parseLocatedArguments("").isEmpty)
        #expect(try Spec.parseLocatedArguments(" \t\n").isEmpty)
    }

    /// The same errors, at the same columns, as inside a call's parentheses; where a call
    /// wants `)` the list wants the end of the text.
    @Test(arguments: [
        ("lr=log(1e-4, 1e-1) l2=log(1)", 20, "expected ',' or the end of the text, found 'l'"),
        ("lr=log(1e-4, 1e-1", 18, "expected ',' or ')', found the end of the text"),
        ("a=1, a=2", 6, "duplicate argument 'a'"),
        ("a=1, 2", 6, "positional argument after a keyword"),
        ("a=1,", 5, "expected a value, found the end of the text"),
        ("a=#", 3, "expected a value, found '#'"),
        ("a=1)", 4, "expected ',' or the end of the text, found ')'"),
        ("a=1|b", 1, "'|' joins layer specs"),
    ])
    func malformedListsReportTheColumn(text: String, column: Int, message: String) {
        do {
            _ = try Spec.parseLocatedArguments(text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.message.contains(message), "\(text): \(error.message)")
        }
    }

    @Test func deepNestingInAListIsAnErrorNotACrash() {
        let text = "a=" + String(repeating: "a(b=", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(throws: SpecError.self) { try Spec.parseLocatedArguments(text) }
    }

    /// Words print bare when they read back as the same word, in quotes otherwise.
    @Test(arguments: [
        ("he-normal", "he-normal"), ("relu+bn", "relu+bn"), ("two words", "\"two words\""), ("true", "\"true\""),
        ("inf", "\"inf\""), ("1e-3", "\"1e-3\""), ("", "\"\""), ("f(x)", "\"f(x)\""), ("a\"b", "\"a\\\"b\""), (" relu", "\" relu\""),
    ])
    func wordOrStringPrintsTextThatParsesBack(text: String, printed: String) throws {
        let value = Spec.Value.wordOrString(text)
        #expect(value.description == printed)
        let parsed = try Spec.parseLocatedArguments("x=\(value)")[0].value.value
        #expect(parsed == .word(text) || parsed == .string(text), "\(parsed)")
    }
}
