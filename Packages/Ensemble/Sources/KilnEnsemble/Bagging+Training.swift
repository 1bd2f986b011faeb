import Dispatch
import KilnData
import KilnDistributed
import KilnLayers
import KilnTensor
import KilnTraining

/// What ``Bagging/fit(train:dev:epochs:parallelism:voting:weights:communicator:makeMember:)``
/// hands the
/// member factory: who the member is and what it trains on.
public struct MemberContext {
    /// 0-based member number.
    public let index: Int
    /// The member's own seed (from its split of the bagging generator): use it for the
    /// initial weights and as the trainer's seed.
    public let seed: UInt64
    /// The member's sample of the training set: its indices and its out-of-bag examples.
    public let sample: BootstrapSample
    /// `train.subset(sample.indices)`: the member's sample as a view sharing the training
    /// set's storage (nothing is copied).
    public let train: TensorDataset
    /// `train.subset(sample.outOfBag)`: the examples the member's sample left out, also a
    /// view. They are held out from this member alone, so they can serve as its dev set
    /// (``MemberSetup/dev``) where no shared one was kept back: for early stopping, say.
    /// Empty when the sample drew every example.
    public let outOfBag: TensorDataset
}

/// What the member factory returns: a ready trainer and, optionally, the dataset it fits
/// (default: ``MemberContext/train``; pass an augmented view of it, for instance) and the
/// dev set it watches (default: the `dev` given to `fit`).
public struct MemberSetup {
    /// The trainer of the member's model, configured as the member should train.
    public var trainer: Trainer
    /// What the member fits; nil: the context's `train` (its bootstrap sample).
    public var train: (any Dataset)?
    /// The member's own dev set (its dev curves, early stopping, a plateau schedule), such
    /// as ``MemberContext/outOfBag``; nil: the `dev` shared by every member, if any.
    public var dev: (any Dataset)?

    /// A setup with `trainer` and, optionally, datasets of its own to fit and to watch.
    public init(trainer: Trainer, train: (any Dataset)? = nil, dev: (any Dataset)? = nil) {
        self.trainer = trainer
        self.train = train
        self.dev = dev
    }
}

/// One trained member's record.
public struct MemberRecord: Sendable, Equatable, Codable {
    /// 0-based member number.
    public var index: Int
    /// The member's training seed.
    public var seed: UInt64
    /// Draws in its sample, and distinct examples among them.
    public var sampleSize: Int
    /// Distinct examples among the sample's draws.
    public var uniqueSamples: Int
    /// Its epochs (train and dev loss/accuracy).
    public var history: [EpochRecord]
    /// Wall time of its `fit`, in seconds.
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case index, seed, sampleSize = "sample_size", uniqueSamples = "unique_samples", seconds
    }

    /// A record of member `index`.
    public init(index: Int, seed: UInt64, sampleSize: Int, uniqueSamples: Int, history: [EpochRecord] = [], seconds: Double = 0) {
        self.index = index
        self.seed = seed
        self.sampleSize = sampleSize
        self.uniqueSamples = uniqueSamples
        self.history = history
        self.seconds = seconds
    }

    // The seed is written as a string (see SeedCoding.swift).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        seed = try c.decodeSeed(forKey: .seed)
        sampleSize = try c.decode(Int.self, forKey: .sampleSize)
        uniqueSamples = try c.decode(Int.self, forKey: .uniqueSamples)
        seconds = try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
        history = []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(String(seed), forKey: .seed)
        try c.encode(sampleSize, forKey: .sampleSize)
        try c.encode(uniqueSamples, forKey: .uniqueSamples)
        try c.encode(seconds, forKey: .seconds)
    }
}

/// How an ensemble was trained: the bagging settings, the parallel plan, each member's
/// record, and each member's predictions on its out-of-bag examples (kept so the
/// out-of-bag score can be recomputed for another voting rule or weights).
public struct EnsembleTraining: Sendable {
    /// The bagging settings the ensemble was made with.
    public var bagging: Bagging
    /// How many members trained at once, with how many threads each.
    public var parallelism: Parallelism
    /// Each member's record, in member order.
    public var members: [MemberRecord]
    /// Wall time of the whole `fit` (members in parallel), in seconds.
    public var seconds: Double
    /// The training set's labels (the out-of-bag population).
    public var labels: [Int]
    /// Per member: its out-of-bag example indices (ascending) and its class
    /// probabilities on them, `[indices.count, classes]`.
    public var outOfBagPredictions: [(indices: [Int], probabilities: Tensor)]

    /// Each member's accuracy on its own out-of-bag examples (NaN for a member whose sample
    /// drew every example): what a dev set of that member's would have measured.
    public var memberOutOfBagAccuracies: [Double] {
        outOfBagPredictions.map { OutOfBag.accuracy(of: $0.probabilities, at: $0.indices, labels: labels) }
    }

    /// The out-of-bag accuracy with the given rule and member weights (nil: equal).
    public func outOfBagScore(voting: Voting, weights: [Double]? = nil) -> OutOfBagScore {
        let classes = outOfBagPredictions.first?.probabilities.shape.last ?? 1
        var oob = OutOfBag(population: labels.count, classes: max(1, classes))
        for (m, member) in outOfBagPredictions.enumerated() {
            oob.add(probabilities: member.probabilities, at: member.indices, weight: weights?[m] ?? 1)
        }
        return oob.score(labels: labels, voting: voting)
    }

    /// The members' mean learning curves: for epoch `e`, the mean of every member's
    /// record of epoch `e` (members stopped early before `e` drop out of the mean).
    /// Losses, accuracies, seconds and samples per second are averaged; the learning rate
    /// is the first member's.
    public var meanHistory: [EpochRecord] {
        let longest = members.map(\.history.count).max() ?? 0
        return (0..<longest).map { e in
            let records = members.compactMap { $0.history.count > e ? $0.history[e] : nil }
            func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
            func meanOptional(_ values: [Double?]) -> Double? {
                let present = values.compactMap { $0 }
                return present.count == values.count && !present.isEmpty ? mean(present) : nil
            }
            return EpochRecord(
                epoch: e + 1, trainLoss: mean(records.map(\.trainLoss)), trainAccuracy: mean(records.map(\.trainAccuracy)),
                penalty: mean(records.map(\.penalty)), devLoss: meanOptional(records.map(\.devLoss)),
                devAccuracy: meanOptional(records.map(\.devAccuracy)), learningRate: records[0].learningRate,
                seconds: mean(records.map(\.seconds)), samplesPerSecond: mean(records.map(\.samplesPerSecond)),
                skippedSteps: records.reduce(0) { $0 + $1.skippedSteps })
        }
    }
}

extension Bagging {
    /// Trains the members in parallel and returns the ensemble.
    ///
    /// For each member (in order of ``plans(population:)``), `makeMember` builds a fresh
    /// model and trainer from the ``MemberContext``; the member then fits its sample for
    /// `epochs` epochs, with `dev` (shared, read-only; or the setup's own ``MemberSetup/dev``)
    /// for its dev curves and early stopping, and predicts its out-of-bag examples. At most `parallelism.jobs` members
    /// run at once as child tasks of a task group; the next one starts when one finishes.
    /// Each member's trainer gets `parallelism.threadsPerMember` worker threads (its
    /// ``/KilnTraining/Trainer/threads`` is overridden after `makeMember`); BLAS runs
    /// single-threaded.
    /// Neither changes the members (see ``Parallelism``).
    ///
    /// `makeMember` runs on the member's task: it must create its own model, optimizer and
    /// callbacks (nothing shared between members except read-only data). A callback that
    /// prints from several members at once should take a lock.
    ///
    /// The first member to fail ends the fit with ``EnsembleError/memberFailed(member:message:)``;
    /// the other members stop at the end of their current epoch.
    ///
    /// With a `communicator` of P ranks (every rank calls `fit` with the same arguments),
    /// the members are dealt out in turn (rank r trains members r, r + P, …, `parallelism`
    /// applying within the rank), and every rank then receives every member (weights,
    /// record, out-of-bag predictions; see ``MemberPart``), so each returns the same
    /// ensemble, bit-identical to the one-process fit.
    public func fit(
        train: TensorDataset, dev: (any Dataset)? = nil, epochs: Int,
        parallelism: Parallelism? = nil, voting: Voting = .soft, weights: [Double]? = nil,
        communicator: (any Communicator)? = nil,
        makeMember: @escaping @Sendable (MemberContext) throws -> MemberSetup
    ) async throws -> Ensemble {
        guard epochs >= 1 else { throw EnsembleError.invalidConfiguration("epochs must be at least 1, got \(epochs)") }
        guard train.count > 0 else { throw EnsembleError.invalidConfiguration("the training set is empty") }
        if let weights { try Voting.checkWeights(weights, members: members) }
        let plan = try parallelism ?? Parallelism(members: members)
        let allPlans = self.plans(population: train.count)
        let plans = communicator.map { c in c.share(of: allPlans.count).map { allPlans[$0] } } ?? allPlans
        BLAS.threadCount = 1

        let start = DispatchTime.now().uptimeNanoseconds
        var outcomes = [MemberOutcome?](repeating: nil, count: members)
        // A failing member stops the fit: no new member starts and the running ones stop at
        // the end of their epoch. The error reported is that of the failing member with the
        // lowest index (not the first to arrive), so the message does not depend on timing;
        // the cancelled members' CancellationErrors are not failures of their own.
        var failure: (index: Int, error: any Error)?
        await withTaskGroup(of: (Int, Result<MemberOutcome, any Error>).self) { group in
            var next = 0
            func start(_ memberPlan: MemberPlan) {
                group.addTask {
                    do { return (memberPlan.index, .success(try Bagging.trainMember(memberPlan, train: train, dev: dev, epochs: epochs, threads: plan.threadsPerMember, makeMember: makeMember))) }
                    catch { return (memberPlan.index, .failure(error)) }
                }
            }
            while next < min(plan.jobs, plans.count) {
                start(plans[next])
                next += 1
            }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let outcome):
                    outcomes[index] = outcome
                case .failure(let error as CancellationError) where failure != nil:
                    _ = error
                case .failure(let error):
                    if failure == nil || failure!.error is CancellationError || index < failure!.index { failure = (index, error) }
                    group.cancelAll()
                }
                if failure == nil && next < plans.count {
                    start(plans[next])
                    next += 1
                }
            }
        }
        if let failure { throw failure.error }
        if let communicator, communicator.size > 1 {
            outcomes = try exchange(outcomes, plans: allPlans, inputShape: train.inputShape, classNames: train.classNames,
                                    communicator: communicator)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let finished = outcomes.map { $0! }
        let ensemble = try Ensemble(members: finished.map(\.model.value), inputShape: train.inputShape,
                                    classNames: train.classNames, voting: voting, weights: weights)
        ensemble.bagging = self
        ensemble.training = EnsembleTraining(
            bagging: self, parallelism: plan, members: finished.map(\.record), seconds: seconds, labels: train.labels,
            outOfBagPredictions: finished.map { ($0.outOfBag, $0.outOfBagProbabilities) })
        ensemble.outOfBag = ensemble.training!.outOfBagScore(voting: voting, weights: weights)
        return ensemble
    }

    /// Builds, trains and scores one member on the calling task.
    static func trainMember(
        _ plan: MemberPlan, train: TensorDataset, dev: (any Dataset)?, epochs: Int, threads: Int,
        makeMember: @Sendable (MemberContext) throws -> MemberSetup
    ) throws -> MemberOutcome {
        try Task.checkCancellation()
        let context = MemberContext(index: plan.index, seed: plan.seed, sample: plan.sample, train: train.subset(plan.sample.indices),
                                    outOfBag: train.subset(plan.sample.outOfBag))
        let setup: MemberSetup
        do { setup = try makeMember(context) } catch { throw EnsembleError.memberFailed(member: plan.index, message: "\(error)") }
        let trainer = setup.trainer
        trainer.threads = threads
        let model = trainer.model
        guard model.inputShape == train.inputShape, model.outputShape == [train.classNames.count] else {
            throw EnsembleError.memberFailed(member: plan.index, message:
                "the model maps \(model.inputShape) to \(model.outputShape); the data needs \(train.inputShape) to [\(train.classNames.count)]")
        }
        trainer.callbacks.append(CancellationCheck())
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            try trainer.fit(train: setup.train ?? context.train, dev: setup.dev ?? dev, epochs: epochs)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw EnsembleError.memberFailed(member: plan.index, message: "\(error)")
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let outOfBag = plan.sample.outOfBag
        let probabilities = Ensemble.memberProbabilities(model, data: train, indices: outOfBag, batchSize: trainer.evaluationBatchSize,
                                                         threads: threads, testTimeAugmentation: trainer.testTimeAugmentation)
        let record = MemberRecord(index: plan.index, seed: plan.seed, sampleSize: plan.sample.count,
                                  uniqueSamples: plan.sample.uniqueCount, history: trainer.history, seconds: seconds)
        return MemberOutcome(record: record, model: ModelTransfer(value: model), outOfBag: outOfBag, outOfBagProbabilities: probabilities)
    }
}

/// What a member's task returns to the parent.
struct MemberOutcome: Sendable {
    var record: MemberRecord
    var model: ModelTransfer
    var outOfBag: [Int]
    var outOfBagProbabilities: Tensor
}

/// Hands a trained model from the member's task to the parent. `Sequential` is a class
/// with mutable layer state and not `Sendable`; the transfer is safe because the task
/// that created the model ends when it returns it, so exactly one task owns it at a time.
struct ModelTransfer: @unchecked Sendable {
    let value: Sequential
}

/// Stops a member at the end of an epoch once its task is cancelled (another member failed).
final class CancellationCheck: TrainingCallback {
    func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        try Task.checkCancellation()
    }
}

extension Bagging {
    /// Every rank sends the members it trained as ``MemberPart`` documents and receives
    /// everyone's: afterwards `outcomes` holds every member on every rank.
    func exchange(_ outcomes: [MemberOutcome?], plans: [MemberPlan], inputShape: [Int], classNames: [String],
                  communicator: any Communicator) throws -> [MemberOutcome?] {
        var message: [UInt8] = []
        for index in communicator.share(of: plans.count) {
            guard let outcome = outcomes[index] else { continue }
            let part = MemberPart(record: outcome.record, model: outcome.model.value, outOfBagProbabilities: outcome.outOfBagProbabilities)
            let bytes = try part.document(inputShape: inputShape, classNames: classNames, bagging: self, voting: .soft, weights: nil).encoded()
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { message += $0 }
            message += bytes
        }
        let gathered = try communicator.allgatherBytes(message)
        var result = outcomes
        for (rank, bytes) in gathered.enumerated() {
            var at = 0
            for index in stride(from: rank, to: plans.count, by: communicator.size) {
                guard at + 8 <= bytes.count else { throw EnsembleError.memberFailed(member: index, message: "rank \(rank) sent no part") }
                let count = bytes[at..<(at + 8)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
                at += 8
                guard count >= 0, at + count <= bytes.count else {
                    throw EnsembleError.memberFailed(member: index, message: "rank \(rank) sent a truncated part")
                }
                let plan = plans[index]
                let part = try MemberPart.read(try SafeTensors(bytes: Array(bytes[at..<(at + count)])), plan: plan,
                                               inputShape: inputShape, classes: classNames.count)
                at += count
                var outcome = part.outcome
                outcome.outOfBag = plan.sample.outOfBag
                result[index] = outcome
            }
        }
        return result
    }
}
