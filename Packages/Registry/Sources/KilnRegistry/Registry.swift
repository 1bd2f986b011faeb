import Synchronization

/// A thread-safe table of named component factories: the way users pick an optimizer,
/// initializer, layer or transform by a spec string, and add their own by name.
///
/// ```swift
/// let optimizers = Registry<any Optimizer>(kind: "optimizer")
/// optimizers.register("sign-sgd", aliases: ["signsgd"]) { spec in
///     SignSGD(learningRate: try spec.float("lr", default: 0.01, in: 0...))
/// }
/// let opt = try optimizers.make("sign-sgd(lr=0.1)")
/// ```
///
/// - Names are matched exactly (case-sensitive); aliases resolve to the same factory.
/// - Registering a name that exists replaces it, so users may override a built-in.
/// - `make` parses the spec, calls the factory with a fresh copy, and then rejects any
///   argument the factory did not read (unknown keys are errors, not silently ignored).
/// - All methods may be called from any thread; factories run outside the lock so a
///   factory may itself use the registry.
public final class Registry<Component>: Sendable {
    /// A factory: reads its arguments from the spec through the typed getters and returns a new
    /// component, or throws.
    public typealias Factory = @Sendable (Spec) throws -> Component

    private struct Entry: Sendable {
        var canonicalName: String
        var factory: Factory
    }

    private struct State: Sendable {
        var entries: [String: Entry] = [:]
        var canonicalNames: Set<String> = []
    }

    /// What this registry holds, used in error messages ("unknown optimizer 'adm'").
    public let kind: String
    private let state = Mutex(State())

    /// An empty registry of components called `kind` in messages ("optimizer", "layer").
    public init(kind: String) {
        self.kind = kind
    }

    /// Registers `factory` under `name` and each alias, replacing earlier entries.
    public func register(_ name: String, aliases: [String] = [], factory: @escaping Factory) {
        state.withLock { state in
            let entry = Entry(canonicalName: name, factory: factory)
            for alias in aliases where alias != name {
                state.canonicalNames.remove(alias)  // an alias shadows an older canonical name
                state.entries[alias] = entry
            }
            state.entries[name] = entry
            state.canonicalNames.insert(name)
        }
    }

    /// Canonical names, sorted.
    public var names: [String] {
        state.withLock { $0.canonicalNames.sorted() }
    }

    /// Every name and alias that `make` accepts, sorted.
    public var allNames: [String] {
        state.withLock { $0.entries.keys.sorted() }
    }

    /// Whether `name` (or an alias) is registered.
    public func contains(_ name: String) -> Bool {
        state.withLock { $0.entries[name] != nil }
    }

    /// The canonical name `name` resolves to, if registered.
    public func canonicalName(for name: String) -> String? {
        state.withLock { $0.entries[name]?.canonicalName }
    }

    /// Parses `text` as one spec and makes the component.
    public func make(_ text: String) throws -> Component {
        let spec: Spec
        do { spec = try Spec(parsing: text) } catch { throw RegistryError.malformed(kind: kind, error) }
        return try make(spec)
    }

    /// Makes the component a parsed spec names.
    ///
    /// Throws ``RegistryError/unknownName(kind:name:valid:)`` listing the valid names,
    /// or ``RegistryError/badArgument(kind:_:)`` for missing, mistyped, out-of-range
    /// and unknown arguments. Errors thrown by the factory itself pass through.
    public func make(_ spec: Spec) throws -> Component {
        guard let entry = state.withLock({ $0.entries[spec.name] }) else {
            throw RegistryError.unknownName(kind: kind, name: spec.name, valid: names)
        }
        let fresh = spec.freshCopy()
        let component: Component
        do {
            component = try entry.factory(fresh)
            try fresh.checkAllArgumentsUsed()
        } catch let error as SpecArgumentError {
            throw RegistryError.badArgument(kind: kind, error)
        }
        return component
    }

    /// Parses a pipeline `a(...)|b|c(...)` and makes each stage.
    public func makePipeline(_ text: String) throws -> [Component] {
        let stages: [Spec]
        do { stages = try Spec.parsePipeline(text) } catch { throw RegistryError.malformed(kind: kind, error) }
        return try stages.map { try make($0) }
    }
}

/// Errors from ``Registry``; each `description` is one line meant for a user.
public enum RegistryError: Error, Sendable, CustomStringConvertible {
    /// No factory is registered under `name`; `valid` lists the names that are (the message
    /// suggests the nearest).
    case unknownName(kind: String, name: String, valid: [String])
    /// The text is not a well-formed spec (the `SpecError` has the column).
    case malformed(kind: String, SpecError)
    /// The factory rejected an argument, or the spec has one the factory never read.
    case badArgument(kind: String, SpecArgumentError)

    public var description: String {
        switch self {
        case .unknownName(let kind, let name, let valid):
            var message = "unknown \(kind) '\(name)'"
            if let guess = Self.closest(to: name, in: valid) { message += " (did you mean '\(guess)'?)" }
            return message + "; valid: \(valid.joined(separator: ", "))"
        case .malformed(let kind, let error):
            return "\(kind): \(error)"
        case .badArgument(let kind, let error):
            return "\(kind) \(error)"
        }
    }

    /// The valid name with the smallest edit distance, if it is close enough to be a typo.
    static func closest(to name: String, in valid: [String]) -> String? {
        let a = Array(name.utf8)
        var best: (String, Int)?
        for candidate in valid {
            let b = Array(candidate.utf8)
            var previous = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var current = [i] + Array(repeating: 0, count: b.count)
                for j in stride(from: 1, through: b.count, by: 1) {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                }
                previous = current
            }
            let distance = a.isEmpty ? b.count : previous[b.count]
            if distance <= max(1, a.count / 3), best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        return best?.0
    }
}
