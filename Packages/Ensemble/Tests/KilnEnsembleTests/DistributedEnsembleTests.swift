import Foundation
import KilnData
import KilnDistributed
import KilnLayers
import KilnTensor
import KilnTraining
import Testing
@testable import KilnEnsemble

/// Members beyond one process: the exchange between ranks (here a ThreadGroup, the same
/// collectives as MPI) and the job-array folder give the one-process ensemble, bit for bit.
@Suite(.serialized) struct DistributedEnsembleTests {
    let train = blobs(count: 240, seed: 1)
    let bagging = try! Bagging(members: 3, seed: 7)
    let spec = "dense(16)|batchnorm|relu|dropout(0.2)|dense(3)"

    func plain() async throws -> Ensemble {
        let spec = self.spec
        return try await bagging.fit(train: train, epochs: 2, parallelism: try Parallelism(members: 3, jobs: 1, threads: 1)) {
            try smallMember($0, spec: spec)
        }
    }

    func state(_ model: Sequential) -> [Tensor] { (model.parameters + model.buffers).map(\.value) }

    func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "kiln-array-test-\(UInt64.random(in: 0...UInt64.max))"
    }

    @Test func everyRankReceivesEveryMember() async throws {
        let reference = try await plain()
        let training = reference.training!
        let plans = bagging.plans(population: train.count)
        let outcomes = (0..<3).map { i in
            MemberOutcome(record: training.members[i], model: ModelTransfer(value: reference.members[i]),
                          outOfBag: training.outOfBagPredictions[i].indices, outOfBagProbabilities: training.outOfBagPredictions[i].probabilities)
        }
        let group = ThreadGroup(size: 2)
        let received = try group.run { rank -> [MemberOutcome?] in
            // Each rank starts with only the members it trained (0 and 2, or 1).
            let mine = outcomes.enumerated().map { i, o in i % 2 == rank.rank ? o : nil }
            return try bagging.exchange(mine, plans: plans, inputShape: train.inputShape, classNames: train.classNames, communicator: rank)
        }
        for (r, all) in received.enumerated() {
            for (i, outcome) in all.enumerated() {
                let outcome = try #require(outcome, "rank \(r) lacks member \(i)")
                #expect(state(outcome.model.value) == state(reference.members[i]), "rank \(r), member \(i): weights")
                #expect(outcome.record == training.members[i], "\(outcome.record) vs \(training.members[i])")
                #expect(outcome.outOfBag == training.outOfBagPredictions[i].indices)
                #expect(outcome.outOfBagProbabilities == training.outOfBagPredictions[i].probabilities)
            }
        }
    }

    @Test func aJobArrayBuildsTheSameEnsembleFolder() async throws {
        let reference = try await plain()
        let saved = temporaryDirectory(), array = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: saved); try? FileManager.default.removeItem(atPath: array) }
        try reference.save(to: saved)
        let spec = self.spec
        // Tasks finish in any order; the folder is complete only after the last.
        for (step, k) in [2, 0, 1].enumerated() {
            #expect(throws: EnsembleError.self) { _ = try Ensemble.load(from: array) }
            let part = try bagging.fitMember(k, train: train, epochs: 2) { try smallMember($0, spec: spec) }
            let progress = try Ensemble.addMember(part, to: array, bagging: bagging, voting: .soft, weights: nil,
                                                  inputShape: train.inputShape, classNames: train.classNames, labels: train.labels)
            #expect(progress.present.count == step + 1 && progress.isComplete == (step == 2))
        }
        for i in 0..<3 {
            let name = MemberPart.modelFileName(index: i, members: 3)
            #expect(FileManager.default.contents(atPath: saved + "/" + name) == FileManager.default.contents(atPath: array + "/" + name),
                    "\(name) differs from the one-process save")
        }
        let loaded = try Ensemble.load(from: array)
        #expect(loaded.outOfBag == reference.outOfBag)
        for (a, b) in zip(loaded.members, reference.members) { #expect(state(a) == state(b)) }
    }

    @Test func anUnfinishedOrForeignFolderIsAnError() throws {
        let array = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: array) }
        let spec = self.spec
        let part = try bagging.fitMember(1, train: train, epochs: 1) { try smallMember($0, spec: spec) }
        try Ensemble.addMember(part, to: array, bagging: bagging, voting: .soft, weights: nil,
                               inputShape: train.inputShape, classNames: train.classNames, labels: train.labels)
        #expect { _ = try Ensemble.load(from: array) } throws: { error in
            "\(error)".contains("1 of 3 members") && "\(error)".contains("missing --member 0, 2")
        }
        // A member of an ensemble with another seed does not join this folder.
        let other = try Bagging(members: 3, seed: 8)
        let foreign = try other.fitMember(0, train: train, epochs: 1) { try smallMember($0, spec: spec) }
        #expect { try Ensemble.addMember(foreign, to: array, bagging: other, voting: .soft, weights: nil,
                                         inputShape: train.inputShape, classNames: train.classNames, labels: train.labels) } throws: { error in
            "\(error)".contains("belongs to another ensemble")
        }
        #expect(throws: EnsembleError.self) { _ = try bagging.fitMember(3, train: train, epochs: 1) { try smallMember($0, spec: spec) } }
    }
}
