/// The run length a per-step schedule works from: steps per epoch and steps in all, fixed by
/// the first ``LearningRateSchedule/begin(stepsPerEpoch:epochs:)`` (or restored from a
/// checkpoint), and saved as the schedule's state `steps_per_epoch`, `total_steps`.
struct StepClock {
    private(set) var stepsPerEpoch = 0
    private(set) var totalSteps = 0
    var isSet: Bool { totalSteps > 0 }

    /// Fixes the run's length unless it is already set. `totalEpochs` (the schedule's own
    /// `total=`) wins over the run's epochs when given.
    mutating func begin(stepsPerEpoch: Int, epochs: Int, totalEpochs: Double?) {
        guard !isSet else { return }
        self.stepsPerEpoch = max(1, stepsPerEpoch)
        totalSteps = max(1, Int((totalEpochs ?? Double(epochs)) * Double(self.stepsPerEpoch)))
    }

    /// Steps in `epochs` epochs (fractional epochs allowed), rounded.
    func steps(_ epochs: Double) -> Int { Int((epochs * Double(stepsPerEpoch)).rounded()) }

    var state: [String: Double] {
        isSet ? ["steps_per_epoch": Double(stepsPerEpoch), "total_steps": Double(totalSteps)] : [:]
    }

    mutating func restore(_ state: [String: Double], schedule: String) throws {
        if state.isEmpty { self = StepClock(); return }
        guard Set(state.keys) == ["steps_per_epoch", "total_steps"],
              let s = state["steps_per_epoch"], let t = state["total_steps"],
              s >= 1, t >= 1, s == s.rounded(), t == t.rounded(), t < 1e12, s < 1e12 else {
            throw OptimizerStateError("cannot restore \(schedule): expected whole steps_per_epoch and total_steps >= 1, got \(state.keys.sorted().joined(separator: ", "))")
        }
        stepsPerEpoch = Int(s)
        totalSteps = Int(t)
    }
}
