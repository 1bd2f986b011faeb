import KilnRegistry
import Testing

// The Registry README's example, compiled and run here (ReadmeSnippetTests checks that
// the README shows these lines).

// snippet registry-component
/// A component of your own kind: anything a spec can describe.
protocol Greeter: Sendable, CustomStringConvertible {
    func greet(_ name: String) -> String
}

struct Hello: Greeter {
    var exclamations: Int
    func greet(_ name: String) -> String { "hello, \(name)" + String(repeating: "!", count: exclamations) }
    var description: String { "hello(exclamations=\(exclamations))" }
}
// end snippet

@Suite struct RegistryReadmeTests {
    @Test func aRegistryOfOnesOwn() throws {
        // snippet registry-use
        let greeters = Registry<any Greeter>(kind: "greeter")
        greeters.register("hello", aliases: ["hi"]) { spec in
            Hello(exclamations: try spec.int("exclamations", at: 0, default: 1, in: 0...10))
        }
        let greeter = try greeters.make("hi(exclamations=2)")
        #expect(greeter.greet("Kiln") == "hello, Kiln!!")
        #expect(try greeters.make(greeter.description).description == greeter.description)   // the round trip

        // Typos are errors with the column and the valid choices, never silently ignored.
        #expect(throws: (any Error).self) { try greeters.make("helo") }                     // unknown greeter 'helo' (did you mean hello?)
        #expect(throws: (any Error).self) { try greeters.make("hello(exclamation=2)") }     // unknown argument
        #expect(throws: (any Error).self) { try greeters.make("hello(exclamations=11)") }   // out of range
        let pipeline = try Spec.parsePipeline("hello(1) | hi")                                // stages of a pipeline
        #expect(pipeline.map(\.name) == ["hello", "hi"])
        // end snippet
        do { _ = try greeters.make("helo") } catch {
            #expect("\(error)".contains("hello"))
        }
    }
}
