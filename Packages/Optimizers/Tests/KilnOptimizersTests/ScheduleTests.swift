import Foundation
import KilnOptimizers
import KilnRegistry
import Testing
import _KilnTestSupport

let scheduleValueTable: [(String, [Double])] = [
    ("constant", [0.1, 0.1, 0.1, 0.1]),
    ("exponential(0.5)", [0.1, 0.05, 0.025, 0.0125]),
    ("inverse-time(decay=1)", [0.1, 0.05, 0.1 / 3, 0.025]),
    ("step(every=2, factor=0.5)", [0.1, 0.1, 0.05, 0.05]),
    ("step(2)", [0.1, 0.1, 0.01, 0.01]),
    ("sqrt(k=2)", [0.2, 0.2 / 1.4142135623730951, 0.2 / 1.7320508075688772, 0.1]),
    ("cosine(total=3)", [0.1, 0.075, 0.025, 0]),
    ("cosine(total=4, min=0.02, warmup=2)", [0.1 / 3, 0.2 / 3, 0.1, 0.06]),
]

@Suite struct ScheduleTests {
    @Test(arguments: scheduleValueTable)
    func values(spec: String, expected: [Double]) throws {
        let schedule = try schedules.make(spec)
        for (epoch, want) in expected.enumerated() {
            let got = schedule.learningRate(epoch: epoch, base: 0.1)
            #expect(isClose(got, Float(want), relativeTolerance: 1e-6, absoluteTolerance: 1e-8), "\(spec) epoch \(epoch): \(got) vs \(want)")
        }
    }

    @Test func cosineAfterTotalStaysAtMinimumAndWarmupClimbs() throws {
        let cosine = CosineSchedule(total: 10, minimum: 0.001, warmup: 3)
        #expect(cosine.learningRate(epoch: 10, base: 1) == 0.001)
        #expect(cosine.learningRate(epoch: 50, base: 1) == 0.001)
        #expect(cosine.learningRate(epoch: 3, base: 1) == 1)
        let warm = (0..<3).map { cosine.learningRate(epoch: $0, base: 1) }
        #expect(warm == [0.25, 0.5, 0.75])
    }

    @Test func onlyThePlateauScheduleObservesTheMetric() throws {
        for spec in ["constant", "exponential(0.9)", "inverse-time(0.1)", "step(every=2, factor=0.5)", "sqrt(1)", "cosine(total=10)",
                     "warmup-cosine(warmup=1)", "one-cycle", "reduce-on-plateau", "plateau(0.5)"] {
            #expect(try schedules.make(spec).observesMetric == spec.contains("plateau"), "\(spec)")
        }
    }

    @Test func reduceOnPlateauWaitsPatienceEpochsThenReduces() throws {
        let plateau = try schedules.make("reduce-on-plateau(factor=0.5, patience=2, min=0.02)")
        var rates: [Float] = []
        for metric in [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8] {
            rates.append(plateau.learningRate(epoch: rates.count, base: 0.1))
            plateau.observe(metric: metric)
        }
        // improvements at 0, 1, 5; bad epochs 2, 3, 4 -> reduce after epoch 4 (3 > patience 2);
        // then 6, 7, 8 -> reduce after 8; 9, 10, 11 -> after 11 (0.0125 clamps to min 0.02).
        #expect(rates == [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02])
    }

    @Test func reduceOnPlateauStateRoundTrip() throws {
        let a = ReduceOnPlateauSchedule(factor: 0.5, patience: 1)
        for m in [1.0, 1.0, 1.0, 0.5, 0.6] { a.observe(metric: m) }
        let saved = a.stateSnapshot()
        #expect(saved == ["best": 0.5, "bad_epochs": 1, "scale": 0.5])
        let b = ReduceOnPlateauSchedule(factor: 0.5, patience: 1)
        try b.restore(saved)
        for m in [0.7, 0.4, 0.4, 0.4] {
            a.observe(metric: m); b.observe(metric: m)
            #expect(a.learningRate(epoch: 0, base: 1) == b.learningRate(epoch: 0, base: 1))
        }
        #expect(a.stateSnapshot() == b.stateSnapshot())
        #expect(throws: OptimizerStateError.self) { try b.restore(["best": 1]) }
        #expect(throws: OptimizerStateError.self) { try b.restore(["best": 1, "bad_epochs": -1, "scale": 1]) }
        #expect(throws: OptimizerStateError.self) { try b.restore(["best": 1, "bad_epochs": 0, "scale": 2]) }
        #expect(throws: OptimizerStateError.self) { try ConstantSchedule().restore(["best": 1]) }
        try ConstantSchedule().restore([:])
        let nan = ReduceOnPlateauSchedule(patience: 0)
        nan.observe(metric: .nan)
        #expect(nan.learningRate(epoch: 0, base: 1) == Float(0.1))
    }

    @Test(arguments: schedules.names)
    func specRoundTripForEveryRegisteredSchedule(name: String) throws {
        let spec = ["exponential": "exponential(0.9)", "inverse-time": "inverse-time(0.5)", "step": "step(every=3, factor=0.2)",
                    "sqrt": "sqrt(k=1.5)", "cosine": "cosine(total=20, min=0.001, warmup=2)",
                    "reduce-on-plateau": "reduce-on-plateau(factor=0.2, patience=3)"][name] ?? name
        let a = try schedules.make(spec)
        let b = try schedules.make(a.description)
        #expect(a.description == b.description)
        for e in 0..<25 { #expect(a.learningRate(epoch: e, base: 0.3) == b.learningRate(epoch: e, base: 0.3)) }
        #expect(a.stateSnapshot() == b.stateSnapshot())
        try b.restore(a.stateSnapshot())
    }

    @Test(arguments: [
        ("exponential", "rate"), ("exponential(rate=1.5)", "rate"), ("exponential(0)", "rate"), ("step(every=0)", "every"),
        ("step(every=2.5)", "every"), ("sqrt(k=0)", "k"), ("cosine(total=0)", "total"), ("cosine(total=5, warmup=5)", "warmup"),
        ("reduce-on-plateau(factor=1)", "factor"), ("reduce-on-plateau(patience=-1)", "patience"),
        ("inverse-time(decay=-1)", "decay"), ("linear(1)", "unknown schedule"), ("constant(1)", "1"),
    ])
    func badSchedulesThrow(spec: String, mention: String) {
        do {
            let s = try schedules.make(spec)
            Issue.record("\(spec) made \(s)")
        } catch {
            #expect("\(error)".contains(mention), "\(spec): \(error)")
        }
    }
}
