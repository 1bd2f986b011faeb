import Dispatch
import Synchronization
import Testing
@testable import KilnRegistry

/// A tiny component for the tests: prints its spec back.
private struct Scale: CustomStringConvertible, Equatable {
    var factor: Float
    var description: String { "scale(factor=\(Spec.format(factor)))" }
}

private func makeRegistry() -> Registry<Scale> {
    let registry = Registry<Scale>(kind: "transform")
    registry.register("scale", aliases: ["zoom"]) { spec in
        Scale(factor: try spec.float("factor", at: 0, default: 1, in: 0...))
    }
    registry.register("identity") { _ in Scale(factor: 1) }
    return registry
}

@Suite struct RegistryTests {
    @Test func makeByNameAndAlias() throws {
        let registry = makeRegistry()
        #expect(try registry.make("scale(factor=2)") == Scale(factor: 2))
        #expect(try registry.make("zoom(3)") == Scale(factor: 3))
        #expect(try registry.make("identity") == Scale(factor: 1))
        #expect(registry.names == ["identity", "scale"])
        #expect(registry.allNames == ["identity", "scale", "zoom"])
        #expect(registry.canonicalName(for: "zoom") == "scale")
    }

    @Test func componentPrintsItsSpecBack() throws {
        let registry = makeRegistry()
        let made = try registry.make("zoom(factor=0.25)")
        let again = try registry.make(made.description)
        #expect(again == made)
        #expect(try Spec(parsing: made.description) == Spec(parsing: "scale(factor=0.25)"))
    }

    @Test func unknownNameListsValidOnes() {
        let registry = makeRegistry()
        do {
            _ = try registry.make("scal(2)")
            Issue.record("made an unknown component")
        } catch {
            let text = "\(error)"
            #expect(text.contains("unknown transform 'scal'"))
            #expect(text.contains("did you mean 'scale'"))
            #expect(text.contains("valid: identity, scale"))
        }
    }

    @Test func unknownKeyAndBadValuesThrow() {
        let registry = makeRegistry()
        for bad in ["scale(factr=2)", "scale(factor=-1)", "scale(factor=yes)", "identity(3)", "scale(1, 2)"] {
            #expect(throws: RegistryError.self, "\(bad)") { try registry.make(bad) }
        }
        do {
            _ = try registry.make("scale(factr=2)")
        } catch {
            #expect("\(error)".contains("factr"))
            #expect("\(error)".contains("valid keys: factor"))
        }
    }

    @Test func malformedThrowsWithColumn() {
        let registry = makeRegistry()
        do {
            _ = try registry.make("scale(factor=")
            Issue.record("parsed")
        } catch {
            #expect("\(error)".contains("column 14"))
        }
    }

    @Test func pipelines() throws {
        let registry = makeRegistry()
        let stages = try registry.makePipeline("scale(2)|identity|zoom(factor=4)")
        #expect(stages.map(\.factor) == [2, 1, 4])
    }

    @Test func userRegistrationOverridesBuiltIn() throws {
        let registry = makeRegistry()
        registry.register("identity") { _ in Scale(factor: 42) }
        #expect(try registry.make("identity").factor == 42)
        registry.register("double", aliases: ["scale"]) { _ in Scale(factor: 2) }
        #expect(try registry.make("scale").factor == 2)
        #expect(!registry.names.contains("scale"))
    }

    @Test func concurrentRegisterAndMake() throws {
        let registry = makeRegistry()
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            registry.register("scale-\(i)", aliases: ["alias-\(i)"]) { spec in
                Scale(factor: try spec.float("factor", default: Float(i)))
            }
            for j in 0..<50 {
                do {
                    let made = try registry.make("alias-\(i)(factor=\(j))")
                    if made.factor != Float(j) { failures.add(1, ordering: .relaxed) }
                    _ = try registry.make("scale(\(j))")
                    _ = registry.names
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(registry.names.count == 2 + 64)
    }
}
