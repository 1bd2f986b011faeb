import Foundation
import KilnOptimizers
import KilnRegistry
import Testing
import _KilnTestSupport

@Suite struct StepScheduleTests {
    @Test func oneCycleMatchesPyTorch() throws {
        for c in oneCycleReference {
            let schedule = OneCycleSchedule(pctStart: c.pctStart, divFactor: c.div, finalDivFactor: c.finalDiv)
            // 5 steps per epoch; the run's length comes from begin.
            schedule.begin(stepsPerEpoch: 5, epochs: c.steps / 5)
            #expect(schedule.updatesEveryStep)
            for (s, want) in c.rates.enumerated() {
                let got = schedule.learningRate(step: s, stepsPerEpoch: 5, base: c.peak)
                #expect(isClose(got, Float(want), relativeTolerance: 1e-5, absoluteTolerance: 1e-9), "step \(s): \(got) vs \(want)")
            }
        }
    }

    @Test func warmupCosineClimbsThenAnneals() throws {
        let schedule = try schedules.make("warmup-cosine(warmup=1, min=0.01)")
        schedule.begin(stepsPerEpoch: 4, epochs: 3)       // 12 steps, 4 of warm-up
        let rates = (0..<13).map { schedule.learningRate(step: $0, stepsPerEpoch: 4, base: 1) }
        #expect(Array(rates[0..<4]) == [0.25, 0.5, 0.75, 1])
        // Step 4 starts the cosine at the base; step 12 (= total) reaches the minimum.
        #expect(rates[4] == 1)
        #expect(isClose(rates[8], Float(0.01 + 0.99 * (1 + cos(Double.pi / 2)) / 2), relativeTolerance: 1e-6))
        #expect(rates[12] == 0.01)
        #expect(zip(rates[4...], rates[5...]).allSatisfy { $0 >= $1 })
        // An explicit total wins over the run's epochs.
        let fixed = WarmupCosineSchedule(warmup: 0, total: 2)
        fixed.begin(stepsPerEpoch: 10, epochs: 100)
        #expect(fixed.learningRate(step: 20, stepsPerEpoch: 10, base: 1) == 0)
    }

    @Test func theRunLengthIsStateAndSurvivesACheckpoint() throws {
        let a = try schedules.make("one-cycle")
        a.begin(stepsPerEpoch: 7, epochs: 3)
        let state = a.stateSnapshot()
        #expect(state == ["steps_per_epoch": 7, "total_steps": 21])
        // A resumed run restores the length before begin: a different --epochs does not bend the curve.
        let b = try schedules.make("one-cycle")
        try b.restore(state)
        b.begin(stepsPerEpoch: 7, epochs: 10)
        for s in 0..<21 { #expect(a.learningRate(step: s, stepsPerEpoch: 7, base: 0.1) == b.learningRate(step: s, stepsPerEpoch: 7, base: 0.1)) }
        #expect(throws: (any Error).self) { try b.restore(["steps_per_epoch": 0.5, "total_steps": 3]) }
        #expect(throws: (any Error).self) { try b.restore(["bad_epochs": 1]) }
    }

    @Test func epochSchedulesDoNotStep() throws {
        let cosine = try schedules.make("cosine(total=4)")
        #expect(!cosine.updatesEveryStep)
        // The default per-step rate is the epoch's.
        #expect(cosine.learningRate(step: 9, stepsPerEpoch: 4, base: 1) == cosine.learningRate(epoch: 2, base: 1))
    }

    @Test(arguments: [
        "warmup-cosine(warmup=-1)", "warmup-cosine(warmup=2, total=2)", "warmup-cosine(total=inf)",
        "one-cycle(pct_start=1)", "one-cycle(div=0.5)", "one-cycle(total=0)", "one-cycle(final_div=nan)",
    ])
    func badSpecsAreErrors(spec: String) {
        #expect(throws: (any Error).self) { try schedules.make(spec) }
    }

    @Test func specsRoundTrip() throws {
        for spec in ["warmup-cosine(warmup=0.5)", "warmup-cosine(warmup=1, total=10, min=0.001)", "one-cycle",
                     "one-cycle(total=12, pct_start=0.25, div=10, final_div=100)"] {
            #expect(try schedules.make(spec).description == spec)
        }
    }
}
