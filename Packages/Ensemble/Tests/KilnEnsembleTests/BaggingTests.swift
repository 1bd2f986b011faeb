import KilnData
import KilnLayers
import KilnOptimizers
import KilnTensor
import KilnTraining
import Testing
@testable import KilnEnsemble

/// Builds a member from its context (a small MLP with Adam), as an application would.
func smallMember(_ member: MemberContext, spec: String = "dense(16)|relu|dense(3)", epochsSeen: EpochCounter? = nil) throws -> MemberSetup {
    var rng = RandomGenerator(seed: member.seed)
    let model = try Sequential.build(spec: spec, inputShape: member.train.inputShape, rng: &rng)
    let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 16, seed: member.seed)
    if let epochsSeen { trainer.callbacks.append(EpochObserver { _ in epochsSeen.increment() }) }
    return MemberSetup(trainer: trainer)
}

/// Counts epochs across member tasks.
final class EpochCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

import Synchronization

/// Serialized: `fit` sets OpenBLAS's process-wide thread count.
@Suite(.serialized) struct BaggingTests {
    let train = blobs(count: 240, seed: 1)
    let test = blobs(count: 120, seed: 1, noiseSeed: 99)

    func fit(jobs: Int, threads: Int? = 1, voting: Voting = .soft, members: Int = 4) async throws -> Ensemble {
        let bagging = try Bagging(members: members, seed: 7)
        return try await bagging.fit(train: train, epochs: 3, parallelism: try Parallelism(members: members, jobs: jobs, threads: threads),
                                     voting: voting) { try smallMember($0) }
    }

    func state(_ e: Ensemble) -> [[Tensor]] { e.members.map { ($0.parameters + $0.buffers).map(\.value) } }

    @Test func sameSeedSameEnsembleWhateverTheJobCount() async throws {
        let one = try await fit(jobs: 1)
        let two = try await fit(jobs: 2)
        let four = try await fit(jobs: 4)
        #expect(state(one) == state(two), "bit-identical weights with 1 and 2 jobs")
        #expect(state(one) == state(four))
        #expect(one.training!.members.map(\.history).map { $0.map(\.trainLoss) } == two.training!.members.map(\.history).map { $0.map(\.trainLoss) })
        #expect(one.outOfBag == two.outOfBag)
        #expect(one.predict(test.inputs) == two.predict(test.inputs))
        // Nor on the trainers' worker threads (3 per member with 1 job, the cores by default).
        #expect(state(one) == state(try await fit(jobs: 1, threads: 3)))
        #expect(state(one) == state(try await fit(jobs: 2, threads: nil)))
        // A different seed gives a different ensemble.
        let other = try await Bagging(members: 4, seed: 8).fit(train: train, epochs: 3, parallelism: try Parallelism(members: 4, jobs: 2, threads: 1)) { try smallMember($0) }
        #expect(state(one) != state(other))
    }

    @Test func membersDifferAndTheEnsembleLearns() async throws {
        let ensemble = try await fit(jobs: 2)
        #expect(ensemble.members.count == 4)
        let weights = ensemble.members.map { $0.parameters[0].value }
        #expect(Set(weights).count == 4, "each member starts from its own seed")
        let report = ensemble.report(on: test)
        #expect(report.memberAccuracies.count == 4)
        #expect(report.accuracy > 0.85, "three separable blobs: \(report.accuracy)")
        #expect(report.memberAccuracies.allSatisfy { $0 > 0.7 })
        #expect(report.agreement > 0.7 && report.agreement <= 1)
        #expect(report.unanimity <= report.agreement + 1e-12)
        #expect(report.evaluation.predictions == ensemble.predict(test.inputs))
        #expect(report.evaluation.loss.isFinite && report.evaluation.loss > 0)
        let oob = try #require(ensemble.outOfBag)
        #expect(oob.accuracy > 0.8, "out-of-bag accuracy \(oob.accuracy)")
        #expect(ensemble.training!.members.allSatisfy { $0.history.count == 3 })
        #expect(ensemble.training!.parallelism.jobs == 2)
    }

    @Test func agreementMatchesADirectCount() async throws {
        let ensemble = try await fit(jobs: 2)
        let report = ensemble.report(on: test, batchSize: 7)
        let predictions = ensemble.members.map { $0.predict(test.inputs) }
        var agree = 0, pairs = 0, all = 0
        for i in 0..<test.count {
            for a in 0..<4 { for b in (a + 1)..<4 { pairs += 1; if predictions[a][i] == predictions[b][i] { agree += 1 } } }
            if Set(predictions.map { $0[i] }).count == 1 { all += 1 }
        }
        #expect(abs(report.agreement - Double(agree) / Double(pairs)) < 1e-12)
        #expect(abs(report.unanimity - Double(all) / Double(test.count)) < 1e-12)
        for m in 0..<4 {
            let correct = zip(predictions[m], test.labels).filter { $0 == $1 }.count
            #expect(abs(report.memberAccuracies[m] - Double(correct) / Double(test.count)) < 1e-12)
        }
    }

    /// Evaluation spreads each block of batches over the ensemble's threads: the report
    /// and the staged accuracies are the same at 1 and 3 threads, and the same as the
    /// members' own probabilities batch by batch (several blocks of batches of 7).
    @Test func evaluationIsTheSameAtAnyThreadCount() async throws {
        let ensemble = try await fit(jobs: 2)
        ensemble.threads = 1
        let one = ensemble.report(on: test, batchSize: 7), stagedOne = ensemble.stagedAccuracies(on: test, batchSize: 7)
        ensemble.threads = 3
        let three = ensemble.report(on: test, batchSize: 7), stagedThree = ensemble.stagedAccuracies(on: test, batchSize: 7)
        #expect(test.count > 7 * Ensemble.chunksPerBlock)
        #expect(one.evaluation.predictions == three.evaluation.predictions && one.evaluation.loss == three.evaluation.loss)
        #expect(one.memberAccuracies == three.memberAccuracies && one.agreement == three.agreement)
        #expect(stagedOne == stagedThree && stagedOne.last == one.accuracy)
        var mean = [Float](repeating: 0, count: test.count * 3)
        for member in ensemble.members {
            for start in stride(from: 0, to: test.count, by: 7) {
                let rows = start..<min(start + 7, test.count)
                let p = SoftmaxCrossEntropy().probabilities(member.forward(test.inputs.rows(rows), training: false))
                for (r, i) in rows.enumerated() { for k in 0..<3 { mean[i * 3 + k] += p[r, k] / 4 } }
            }
        }
        let expected = (0..<test.count).map { i in (0..<3).max { mean[i * 3 + $0] < mean[i * 3 + $1] }! }
        let agreeing = zip(expected, three.evaluation.predictions).filter { $0 == $1 }.count
        #expect(agreeing >= test.count - 1, "\(agreeing) of \(test.count)")
    }

    /// An ensemble and a single model answer the same calls.
    @Test func sameCallsAsASingleModel() async throws {
        func accuracy(_ classifier: some Classifier) -> Double { classifier.evaluate(test).accuracy }
        func probabilities(_ classifier: some Classifier) -> Tensor { classifier.predictProbabilities(test.inputs) }
        let ensemble = try await fit(jobs: 2)
        let single = ensemble.members[0]
        #expect(accuracy(single) == Trainer.evaluate(model: single, data: test).accuracy)
        #expect(probabilities(single).shape == [120, 3])
        #expect(probabilities(ensemble).shape == [120, 3])
        #expect(ensemble.predict(test.inputs) == ensemble.evaluate(test).predictions)
        // One member alone votes like that member.
        let alone = try Ensemble(members: [single], inputShape: [8], classNames: train.classNames)
        #expect(alone.predict(test.inputs) == single.predict(test.inputs))
        #expect(alone.report(on: test).agreement == 1)
    }

    @Test func hardVotingEnsemble() async throws {
        let ensemble = try await fit(jobs: 2, voting: .hard)
        let tables = ensemble.memberProbabilities(test.inputs)
        #expect(ensemble.predict(test.inputs) == Voting.hard.combine(tables).predictions)
        ensemble.voting = .soft
        #expect(ensemble.predict(test.inputs) == Voting.soft.combine(tables).predictions)
        try ensemble.setWeights([1, 0, 0, 0])
        #expect(ensemble.predict(test.inputs) == ensemble.members[0].predict(test.inputs))
        #expect(throws: EnsembleError.self) { try ensemble.setWeights([1, 1]) }
    }

    @Test func memberFailuresNameTheMember() async throws {
        let bagging = try Bagging(members: 3, seed: 1)
        await #expect(throws: EnsembleError.memberFailed(member: 1, message: "no model for you")) {
            _ = try await bagging.fit(train: train, epochs: 1, parallelism: try Parallelism(members: 3, jobs: 2, threads: 1)) { member in
                if member.index == 1 { throw Failure(description: "no model for you") }
                return try smallMember(member)
            }
        }
        // A model with the wrong number of outputs.
        do {
            _ = try await bagging.fit(train: train, epochs: 1) { try smallMember($0, spec: "dense(4)") }
            Issue.record("a 4-output model on 3 classes must fail")
        } catch let error as EnsembleError {
            #expect(error.description.contains("ensemble member 1") && error.description.contains("[3]"), "\(error)")
        }
        await #expect(throws: EnsembleError.self) {
            _ = try await bagging.fit(train: train, epochs: 0) { try smallMember($0) }
        }
        await #expect(throws: EnsembleError.self) {
            _ = try await bagging.fit(train: train, epochs: 1, weights: [1, 2]) { try smallMember($0) }
        }
    }

    @Test func aFailureStopsTheOtherMembersEarly() async throws {
        let epochs = EpochCounter()
        let bagging = try Bagging(members: 6, seed: 1)
        await #expect(throws: EnsembleError.self) {
            _ = try await bagging.fit(train: train, epochs: 50, parallelism: try Parallelism(members: 6, jobs: 2, threads: 1)) { member in
                if member.index == 0 { throw Failure(description: "broken") }
                return try smallMember(member, epochsSeen: epochs)
            }
        }
        // Without cancellation the five other members would run 250 epochs.
        #expect(epochs.value < 100, "\(epochs.value) epochs ran after the failure")
    }

    @Test func trainingRecordsEachMembersOutOfBagExamples() async throws {
        let data = blobs(count: 90, seed: 2)
        let bagging = try Bagging(members: 3, seed: 5)
        let ensemble = try await bagging.fit(train: data, epochs: 1, parallelism: try Parallelism(members: 3, jobs: 1, threads: 1)) { member in
            try smallMember(member, spec: "dense(3)")
        }
        let training = try #require(ensemble.training)
        let plans = bagging.plans(population: 90)
        for (m, plan) in plans.enumerated() {
            #expect(training.outOfBagPredictions[m].indices == plan.sample.outOfBag)
            #expect(training.outOfBagPredictions[m].probabilities.shape == [plan.sample.outOfBag.count, 3])
            #expect(training.members[m].uniqueSamples == plan.sample.uniqueCount)
        }
        // Counted = examples outside at least one member's sample.
        let inEvery = (0..<90).filter { j in plans.allSatisfy { $0.sample.inBag[j] } }.count
        let score = try #require(ensemble.outOfBag)
        #expect(score.counted == 90 - inEvery)
        #expect(score.population == 90)
        #expect(training.outOfBagScore(voting: .soft) == score)
    }

    @Test func aMemberCanWatchItsOwnOutOfBagExamples() async throws {
        let data = blobs(count: 120, seed: 3)
        let bagging = try Bagging(members: 3, seed: 11)
        let ensemble = try await bagging.fit(train: data, epochs: 2, parallelism: try Parallelism(members: 3, jobs: 1, threads: 1)) { member in
            #expect(member.outOfBag.count == member.sample.outOfBag.count)
            #expect(member.outOfBag.labels == member.sample.outOfBag.map { data.labels[$0] })
            var setup = try smallMember(member)
            setup.dev = member.outOfBag
            return setup
        }
        let training = try #require(ensemble.training)
        let accuracies = training.memberOutOfBagAccuracies
        for (m, record) in training.members.enumerated() {
            // The dev curve is the member's out-of-bag accuracy: at the last epoch, the model
            // the out-of-bag predictions were made with.
            let last = try #require(record.history.last?.devAccuracy)
            #expect(abs(last - accuracies[m]) < 1e-9)
            let (indices, probabilities) = training.outOfBagPredictions[m]
            let direct = zip(probabilities.argmaxIndices(axis: -1), indices).filter { $0.0 == data.labels[$0.1] }.count
            #expect(accuracies[m] == Double(direct) / Double(indices.count))
        }
        // Without a dev set of its own or a shared one, a member records no dev curve.
        let plain = try await bagging.fit(train: data, epochs: 1, parallelism: try Parallelism(members: 3, jobs: 1, threads: 1)) { try smallMember($0) }
        #expect(plain.training!.members.allSatisfy { $0.history.allSatisfy { $0.devAccuracy == nil } })
    }

    @Test func outOfBagAccuracyOfOneMember() {
        let p = Tensor(shape: [3, 2], scalars: [0.9, 0.1, 0.2, 0.8, 0.6, 0.4])
        #expect(OutOfBag.accuracy(of: p, at: [4, 0, 2], labels: [1, 0, 1, 1, 0]) == 2.0 / 3)  // rows predict 0, 1, 0; example 2 is class 1
        #expect(OutOfBag.accuracy(of: Tensor(shape: [0, 2], scalars: []), at: [], labels: [0]).isNaN)
    }

    @Test func parallelismSharesTheThreadsAmongTheJobs() throws {
        let p = try Parallelism(members: 5, cores: 2)
        #expect(p.jobs == 2 && p.threadsPerMember == 1)
        #expect(try Parallelism(members: 5, jobs: 1, cores: 2).threadsPerMember == 2)
        #expect(try Parallelism(members: 1, cores: 8).jobs == 1)
        #expect(try Parallelism(members: 1, cores: 8).threadsPerMember == 8)
        #expect(try Parallelism(members: 2, jobs: 1, cores: 8).threadsPerMember == 8)
        #expect(try Parallelism(members: 5, jobs: 3, cores: 8).threadsPerMember == 2)
        #expect(try Parallelism(members: 5, jobs: 9, cores: 2).jobs == 5)
        #expect(try Parallelism(members: 5, jobs: 2, threads: 3, cores: 2).threadsPerMember == 1)
        #expect(try Parallelism(members: 5, jobs: 1, threads: 3, cores: 2).threadsPerMember == 3)
        #expect(throws: EnsembleError.self) { try Parallelism(members: 5, jobs: 0) }
        #expect(throws: EnsembleError.self) { try Parallelism(members: 5, threads: 0) }
    }

    @Test func fitRunsBLASSingleThreaded() async throws {
        BLAS.threadCount = 2
        _ = try await Bagging(members: 1, seed: 1).fit(train: train, epochs: 1, parallelism: try Parallelism(members: 1, threads: 2)) { try smallMember($0) }
        #expect(BLAS.threadCount == 1)
    }

    @Test func meanHistoryAveragesTheMembersEpochs() {
        func record(_ epoch: Int, _ loss: Double, _ dev: Double?) -> EpochRecord {
            EpochRecord(epoch: epoch, trainLoss: loss, trainAccuracy: 1 - loss, devLoss: dev, devAccuracy: dev.map { 1 - $0 },
                        learningRate: 0.01, seconds: 1, samplesPerSecond: 100)
        }
        let training = EnsembleTraining(
            bagging: try! Bagging(members: 2), parallelism: try! Parallelism(members: 2), members: [
                MemberRecord(index: 0, seed: 1, sampleSize: 10, uniqueSamples: 6, history: [record(1, 0.8, 0.9), record(2, 0.4, 0.5)]),
                MemberRecord(index: 1, seed: 2, sampleSize: 10, uniqueSamples: 7, history: [record(1, 0.6, 0.7)]),
            ], seconds: 1, labels: [], outOfBagPredictions: [])
        let mean = training.meanHistory
        #expect(mean.count == 2)
        #expect(abs(mean[0].trainLoss - 0.7) < 1e-12 && abs(mean[0].devLoss! - 0.8) < 1e-12)
        #expect(abs(mean[1].trainLoss - 0.4) < 1e-12, "the member that stopped early drops out")
        #expect(mean.map(\.epoch) == [1, 2])
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
}
