import KilnRegistry
import KilnRegularizers
import KilnTensor
import Testing

/// A tiny "model": one weight and one buffer whose values record the epoch that wrote them.
private func makeState() -> [Parameter] {
    [Parameter(name: "dense.weight", value: Tensor([0, 0])),
     Parameter(name: "bn.running_mean", value: Tensor([0]), isRegularized: false)]
}

/// Runs epochs 1... with the given metrics, setting the state to the epoch number before
/// each update (as training would), until the stopper says stop or the metrics run out.
/// Returns the epoch that stopped training (nil if it ran to the end).
private func run(_ stopper: EarlyStopping, _ metrics: [Float], state: [Parameter]) -> Int? {
    for (i, metric) in metrics.enumerated() {
        let epoch = i + 1
        state[0].value = Tensor([Float(epoch), -Float(epoch)])
        state[1].value = Tensor([Float(epoch) * 10])
        if stopper.update(epoch: epoch, metric: metric, state: state) { return epoch }
    }
    return nil
}

@Suite struct EarlyStoppingTests {
    @Test func triggersAfterPatienceEpochsWithoutImprovement() {
        let stopper = EarlyStopping(monitor: .loss, patience: 3)
        let state = makeState()
        // Best at epoch 2; epochs 3, 4, 5 do not improve: stop at 5.
        let stopped = run(stopper, [1.0, 0.5, 0.6, 0.5, 0.7, 0.1, 0.1], state: state)
        #expect(stopped == 5)
        #expect(stopper.bestEpoch == 2)
        #expect(stopper.bestMetric == 0.5)
        #expect(stopper.stoppedEpoch == 5)
        // Restores the best epoch's weights and buffers when triggered.
        #expect(state[0].value.scalars == [5, -5])
        stopper.restoreBest(into: state)
        #expect(state[0].value.scalars == [2, -2])
        #expect(state[1].value.scalars == [20])
    }

    @Test func improvementResetsTheCount() {
        let stopper = EarlyStopping(patience: 2)
        let stopped = run(stopper, [1.0, 1.1, 0.9, 1.0, 0.8, 0.85, 0.95], state: makeState())
        #expect(stopped == 7)
        #expect(stopper.bestEpoch == 5)
    }

    @Test func restoresBestWeightsWhenTrainingEndsWithoutTriggering() {
        let stopper = EarlyStopping(monitor: .loss, patience: 10)
        let state = makeState()
        let stopped = run(stopper, [3, 2, 1, 1.5, 1.2], state: state)
        #expect(stopped == nil)
        #expect(stopper.stoppedEpoch == nil)
        #expect(state[0].value.scalars == [5, -5])
        stopper.restoreBest(into: state)
        #expect(state[0].value.scalars == [3, -3])
        #expect(state[1].value.scalars == [30])
    }

    @Test func minDeltaIgnoresSmallImprovements() {
        let stopper = EarlyStopping(monitor: .loss, patience: 2, minDelta: 0.1)
        // 0.95 and 0.91 improve on 1.0 by less than 0.1: not improvements.
        let stopped = run(stopper, [1.0, 0.95, 0.91, 0.5], state: makeState())
        #expect(stopped == 3)
        #expect(stopper.bestEpoch == 1)
        #expect(stopper.bestMetric == 1.0)
        // An improvement by more than min_delta counts.
        let other = EarlyStopping(monitor: .loss, patience: 2, minDelta: 0.1)
        #expect(run(other, [1.0, 0.85, 0.8, 0.7], state: makeState()) == nil)
        #expect(other.bestEpoch == 4)
    }

    @Test func accuracyModeHigherIsBetter() {
        let stopper = EarlyStopping(monitor: .accuracy, patience: 2)
        let state = makeState()
        let stopped = run(stopper, [0.5, 0.7, 0.9, 0.8, 0.85, 0.99], state: state)
        #expect(stopped == 5)
        #expect(stopper.bestEpoch == 3)
        #expect(stopper.bestMetric == 0.9)
        stopper.restoreBest(into: state)
        #expect(state[0].value.scalars == [3, -3])
    }

    @Test func nanNeverImproves() {
        let stopper = EarlyStopping(monitor: .loss, patience: 2)
        #expect(run(stopper, [.nan, 1.0, .nan, .nan], state: makeState()) == 4)
        #expect(stopper.bestEpoch == 2)
        let accuracy = EarlyStopping(monitor: .accuracy, patience: 1)
        #expect(run(accuracy, [0.5, .nan], state: makeState()) == 2)
        #expect(accuracy.bestMetric == 0.5)
    }

    @Test func withoutRestoreBestKeepsNoCopies() {
        let stopper = EarlyStopping(patience: 1, restoreBest: false)
        let state = makeState()
        _ = run(stopper, [1, 2], state: state)
        #expect(stopper.bestSnapshot.isEmpty)
        stopper.restoreBest(into: state)
        #expect(state[0].value.scalars == [2, -2])
    }

    @Test func snapshotIsACopyNotAView() {
        let stopper = EarlyStopping(patience: 5)
        let state = makeState()
        stopper.update(epoch: 1, metric: 1, state: state)
        state[0].value.withUnsafeMutableBufferPointer { $0[0] = 99 }  // an optimizer's in-place step
        #expect(stopper.bestSnapshot["dense.weight"]?.scalars == [0, 0])
        stopper.restoreBest(into: state)
        #expect(state[0].value.scalars == [0, 0])
    }

    @Test func specParsesAndPrintsBack() throws {
        let stopper = try EarlyStopping(parsing: "early-stopping(patience=5, monitor=accuracy, min_delta=0.001, restore_best=false)")
        #expect(stopper.patience == 5)
        #expect(stopper.monitor == .accuracy)
        #expect(stopper.minDelta == 0.001)
        #expect(stopper.restoreBest == false)
        #expect(stopper.description == "early-stopping(patience=5, monitor=accuracy, min_delta=0.001, restore_best=false)")
        let defaults = try EarlyStopping(parsing: "early-stopping")
        #expect(defaults.description == "early-stopping(patience=3, monitor=loss, min_delta=0, restore_best=true)")
        let again = try EarlyStopping(spec: try Spec(parsing: stopper.description))
        #expect(again.description == stopper.description)
        #expect(try EarlyStopping(parsing: "early-stopping(7)").patience == 7)
    }

    @Test(arguments: ["early-stopping(patience=0)", "early-stopping(monitor=f1)", "early-stopping(min_delta=-1)",
                      "early-stopping(patience=2.5)", "early-stopping(restore=true)", "stop-early", "early-stopping(",
                      "early-stopping(min_delta=inf)"])
    func badSpecsThrow(text: String) {
        #expect(throws: (any Error).self) { try EarlyStopping(parsing: text) }
    }

    @Test func stateRoundTripContinuesIdentically() throws {
        let metrics: [Float] = [1.0, 0.8, 0.9, 0.95, 0.7, 0.75, 0.76, 0.77]
        let reference = EarlyStopping(patience: 3)
        let referenceStop = run(reference, metrics, state: makeState())

        // Run 4 epochs, save, restore into a fresh stopper, continue.
        let first = EarlyStopping(patience: 3)
        let state = makeState()
        #expect(run(first, Array(metrics.prefix(4)), state: state) == nil)
        let resumed = EarlyStopping(patience: 3)
        try resumed.restore(state: first.stateSnapshot(), best: first.bestSnapshot)
        var stop: Int?
        for epoch in 5...metrics.count {
            state[0].value = Tensor([Float(epoch), -Float(epoch)])
            if resumed.update(epoch: epoch, metric: metrics[epoch - 1], state: state) { stop = epoch; break }
        }
        #expect(stop == referenceStop)
        #expect(resumed.bestEpoch == reference.bestEpoch)
        #expect(resumed.stateSnapshot() == reference.stateSnapshot())

        try resumed.checkSnapshot(fits: state)
        let other = [Parameter(name: "dense.weight", value: Tensor([0, 0, 0])), state[1]]
        #expect(throws: EarlyStoppingError.self) { try resumed.checkSnapshot(fits: other) }
        #expect(throws: EarlyStoppingError.self) { try resumed.checkSnapshot(fits: [Parameter(name: "x", value: Tensor([1]))]) }

        #expect(throws: EarlyStoppingError.self) { try EarlyStopping().restore(state: ["bogus": 1], best: [:]) }
        #expect(throws: EarlyStoppingError.self) {
            try EarlyStopping().restore(state: ["epochs_without_improvement": 0, "best_epoch": 2, "best_metric": 1], best: [:])
        }
    }
}
