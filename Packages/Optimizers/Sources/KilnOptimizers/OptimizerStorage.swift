import KilnTensor

/// The state of a ``PerParameterOptimizer``: learning rate, weight decay, groups and, per
/// parameter name, the state slots and the step count.
///
/// Slots are declared once: `slots` are per-element tensors shaped like the parameter
/// (Adam's `exp_avg`, `exp_avg_sq`), `scalars` are one number per parameter (NAdam's
/// `mu_product`). A parameter's slots are created, filled with their initial values, on
/// its first step. Slot memory is one contiguous block per parameter, so an update reads
/// and writes raw buffers with no allocation and no copy-on-write checks.
///
/// Snapshot keys: tensors `"<name>.<slot>"`, scalars `"<name>.step"` and
/// `"<name>.<scalar slot>"`, plus `"learning_rate"` (restored too, as torch does).
public final class OptimizerStorage {
    /// A named slot and the value it starts with.
    public struct Slot: Sendable, Equatable {
        /// The slot's name, the suffix of its snapshot key (`exp_avg`).
        public var name: String
        /// The value every element starts at on the parameter's first step.
        public var initialValue: Double
        /// A slot named `name` that starts at `initialValue` (default 0).
        public init(_ name: String, initialValue: Double = 0) {
            self.name = name
            self.initialValue = initialValue
        }
    }

    /// The optimizer's learning rate (before groups).
    public var learningRate: Float
    /// The optimizer's weight decay, used where no group sets one.
    public var weightDecay: Float
    /// Per-parameter overrides of the learning rate and weight decay; the first group that
    /// matches a parameter applies.
    public var groups: [ParameterGroup] = []
    /// Per-element slots, in the order ``ParameterUpdate/slot(_:)`` indexes them.
    public let slots: [Slot]
    /// Per-parameter scalar slots, in the order ``ParameterUpdate/scalars`` indexes them.
    public let scalarSlots: [Slot]

    final class Entry {
        var shape: [Int]
        let count: Int
        var step: Int
        let floats: UnsafeMutablePointer<Float>
        let floatCount: Int
        var scalars: [Double]

        init(shape: [Int], count: Int, slotCount: Int) {
            self.shape = shape
            self.count = count
            self.step = 0
            floatCount = count * slotCount
            floats = .allocate(capacity: max(floatCount, 1))
            scalars = []
        }
        deinit { floats.deallocate() }
    }

    var entries: [String: Entry] = [:]

    /// Storage with the given learning rate, weight decay (default 0), per-element `slots` and
    /// per-parameter `scalars`. No state exists until a parameter's first step.
    public init(learningRate: Float, weightDecay: Float = 0, slots: [Slot] = [], scalars: [Slot] = []) {
        precondition(learningRate.isFinite && learningRate >= 0, "learning rate must be finite and >= 0, got \(learningRate)")
        precondition(weightDecay.isFinite && weightDecay >= 0, "weight decay must be finite and >= 0, got \(weightDecay)")
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.slots = slots
        self.scalarSlots = scalars
    }

    /// The names of the parameters that have state.
    public var parameterNames: [String] { entries.keys.sorted() }

    /// Drops all per-parameter state (the next step starts fresh).
    public func reset() { entries.removeAll() }

    func makeEntry(shape: [Int], count: Int) -> Entry {
        let entry = Entry(shape: shape, count: count, slotCount: slots.count)
        for (k, slot) in slots.enumerated() {
            (entry.floats + k * count).initialize(repeating: Float(slot.initialValue), count: count)
        }
        entry.scalars = scalarSlots.map(\.initialValue)
        return entry
    }

    /// Runs `body` on the update of one parameter (creating its state on first use).
    @inline(__always)
    func withUpdate(for parameter: Parameter, _ body: (ParameterUpdate) -> Void) {
        let shape = parameter.value.shape
        let count = parameter.value.count
        precondition(parameter.gradient.count == count,
                     "parameter '\(parameter.name)': gradient shape \(parameter.gradient.shape) does not match value shape \(shape)")
        let entry: Entry
        if let existing = entries[parameter.name] {
            precondition(slots.isEmpty || existing.shape == shape,
                         "optimizer state for '\(parameter.name)' has shape \(existing.shape) but the parameter has shape \(shape) (call checkState(fits:) after restore)")
            entry = existing
        } else {
            entry = makeEntry(shape: shape, count: count)
            entries[parameter.name] = entry
        }
        entry.step += 1
        let (lr, decay) = groups.isEmpty
            ? (learningRate, weightDecay)
            : ParameterGroup.resolve(parameter, groups: groups, learningRate: learningRate, weightDecay: weightDecay)
        guard count > 0 else { return }
        let step = entry.step
        entry.scalars.withUnsafeMutableBufferPointer { scalars in
            parameter.gradient.withUnsafeBufferPointer { g in
                parameter.value.withUnsafeMutableBufferPointer { v in
                    body(ParameterUpdate(
                        parameter: parameter, value: v, gradient: g, learningRate: lr, weightDecay: decay,
                        step: step, scalars: scalars, slotBase: entry.floats, slotStride: count))
                }
            }
        }
    }

    /// Elements per work item of a parallel elementwise step: large enough to amortize the
    /// hand-off, small enough to split a 784x256 weight over the cores.
    public static let parallelChunk = 1 << 15

    /// The updates of one step, prepared in parameter order exactly as ``withUpdate(for:_:)``
    /// does (state created, step counted, groups resolved), for a parallel step. Empty
    /// parameters are left out. The buffers stay valid while the parameters' values and
    /// gradients are not reassigned or resized, i.e. for the rest of the step.
    func prepareUpdates(_ parameters: [Parameter]) -> [ParameterUpdate] {
        var updates: [ParameterUpdate] = []
        updates.reserveCapacity(parameters.count)
        for parameter in parameters {
            // The body runs once, synchronously; the update escapes on purpose (see above).
            withUpdate(for: parameter) { updates.append($0) }
        }
        return updates
    }

    /// A copy of the state (see the type's doc for the keys).
    public func snapshot() -> OptimizerState {
        var state = OptimizerState(scalars: ["learning_rate": Double(learningRate)])
        for (name, entry) in entries {
            for (k, slot) in slots.enumerated() {
                let source = entry.floats + k * entry.count
                state.tensors["\(name).\(slot.name)"] = Tensor(shape: entry.shape, unsafeUninitialized: { buffer in
                    if entry.count > 0 { buffer.baseAddress!.update(from: source, count: entry.count) }
                })
            }
            state.scalars["\(name).step"] = Double(entry.step)
            for (k, slot) in scalarSlots.enumerated() {
                state.scalars["\(name).\(slot.name)"] = entry.scalars[k]
            }
        }
        return state
    }

    /// Splits `"<parameter>.<slot>"` for one of `names` (longest slot name first).
    static func split(_ key: String, slots names: [String]) -> (parameter: String, slot: String)? {
        for name in names.sorted(by: { $0.count > $1.count }) {
            let suffix = "." + name
            if key.hasSuffix(suffix), key.count > suffix.count {
                return (String(key.dropLast(suffix.count)), name)
            }
        }
        return nil
    }

    /// Replaces the state with `state`; throws (leaving the state unchanged) when it does not fit.
    public func restore(_ state: OptimizerState, owner: String) throws {
        let slotNames = slots.map(\.name)
        let scalarNames = ["step"] + scalarSlots.map(\.name)
        func fail(_ message: String) -> OptimizerStateError {
            OptimizerStateError("cannot restore \(owner): \(message)")
        }
        var restoredRate = learningRate
        var tensors: [String: [String: Tensor]] = [:]
        var scalars: [String: [String: Double]] = [:]
        for (key, value) in state.scalars.sorted(by: { $0.key < $1.key }) {
            if key == "learning_rate" {
                guard value.isFinite, value >= 0 else { throw fail("learning_rate \(value) must be finite and >= 0") }
                restoredRate = Float(value)
                continue
            }
            guard let (parameter, slot) = Self.split(key, slots: scalarNames) else {
                throw fail("unexpected scalar '\(key)' (expected learning_rate and <parameter>.{\(scalarNames.joined(separator: ","))})")
            }
            scalars[parameter, default: [:]][slot] = value
        }
        for (key, value) in state.tensors.sorted(by: { $0.key < $1.key }) {
            guard let (parameter, slot) = Self.split(key, slots: slotNames) else {
                let expected = slotNames.isEmpty ? "this optimizer keeps no tensors" : "expected <parameter>.{\(slotNames.joined(separator: ","))}"
                throw fail("unexpected tensor '\(key)' (\(expected))")
            }
            tensors[parameter, default: [:]][slot] = value
        }
        for parameter in tensors.keys.sorted() where scalars[parameter] == nil {
            throw fail("tensors for '\(parameter)' but no '\(parameter).step'")
        }
        var restored: [String: Entry] = [:]
        for (parameter, values) in scalars.sorted(by: { $0.key < $1.key }) {
            guard let step = values["step"], step >= 1, step == step.rounded(), step < 9e15 else {
                throw fail("'\(parameter).step' must be an integer >= 1, got \(values["step"].map { "\($0)" } ?? "nothing")")
            }
            let own = tensors[parameter] ?? [:]
            var shape: [Int]? = nil
            for slot in slotNames {
                guard let t = own[slot] else { throw fail("missing tensor '\(parameter).\(slot)'") }
                if let s = shape, s != t.shape {
                    throw fail("'\(parameter).\(slot)' has shape \(t.shape) but the other slots of '\(parameter)' have shape \(s)")
                }
                shape = t.shape
            }
            for slot in scalarSlots where values[slot.name] == nil {
                throw fail("missing scalar '\(parameter).\(slot.name)'")
            }
            // Without tensor slots the shape is not recorded and does not matter.
            let entryShape = shape ?? [-1]
            let count = shape.map { $0.reduce(1, *) } ?? 0
            let entry = Entry(shape: entryShape, count: count, slotCount: slots.count)
            for (k, slot) in slotNames.enumerated() {
                own[slot]!.withUnsafeBufferPointer { source in
                    if count > 0 { (entry.floats + k * count).initialize(from: source.baseAddress!, count: count) }
                }
            }
            entry.step = Int(step)
            entry.scalars = scalarSlots.map { values[$0.name]! }
            restored[parameter] = entry
        }
        entries = restored
        learningRate = restoredRate
    }

    /// Throws when the state holds a parameter not in `parameters` or of another shape.
    public func checkState(fits parameters: [Parameter], owner: String) throws {
        var shapes: [String: [Int]] = [:]
        for p in parameters { shapes[p.name] = p.shape }
        for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            guard let shape = shapes[name] else {
                throw OptimizerStateError("\(owner) has state for parameter '\(name)', which is not among the \(parameters.count) parameters given")
            }
            if !slots.isEmpty, entry.shape != shape {
                throw OptimizerStateError("\(owner) state for '\(name)' has shape \(entry.shape) but the parameter has shape \(shape)")
            }
        }
    }
}
