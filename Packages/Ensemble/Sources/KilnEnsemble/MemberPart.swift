import Foundation
import KilnLayers
import KilnTensor
import KilnTraining

/// One trained bagging member as a self-contained safetensors document: what crosses
/// between MPI ranks and what a job-array task (`bagging-ensemble --member K`) leaves in
/// the ensemble folder beside the member's model file.
///
/// - tensors: `model/<name>` (the model file's), `oob/probabilities` `[k, classes]`, the
///   member's class probabilities on its out-of-bag examples (ascending indices; the
///   indices themselves follow from the bagging settings and are not stored);
/// - metadata: the model file's (`kiln.model`, `kiln.input_shape`, `kiln.class_names`, …),
///   `kiln.member_record` (``MemberRecord`` as JSON), `kiln.history` (JSON lines of the
///   epochs), and the ensemble it belongs to: `kiln.bagging` (members, max_samples,
///   bootstrap, seed), `kiln.voting`, `kiln.weights`.
public struct MemberPart {
    /// The member's record (index, seed, sample sizes, history, time).
    public var record: MemberRecord
    /// The trained member model.
    public var model: Sequential
    /// The member's class probabilities on its out-of-bag examples, `[k, classes]`, in
    /// ascending example order.
    public var outOfBagProbabilities: Tensor

    /// The file name of member `index` (0-based) of an ensemble of `members`:
    /// `member-01.safetensors`, the same name ``Ensemble/save(to:)`` uses.
    public static func modelFileName(index: Int, members: Int) -> String {
        let width = max(2, "\(members)".count)
        let number = "\(index + 1)"
        return "member-" + String(repeating: "0", count: max(0, width - number.count)) + number + ".safetensors"
    }

    /// The part's own file name beside the model file: `member-01.part.safetensors`.
    public static func partFileName(index: Int, members: Int) -> String {
        modelFileName(index: index, members: members).replacingOccurrences(of: ".safetensors", with: ".part.safetensors")
    }

    /// The member's model file, byte for byte what ``Ensemble/save(to:)`` writes.
    static func modelFile(_ model: Sequential, index: Int, inputShape: [Int], classNames: [String]) -> SafeTensors {
        Trainer.modelFile(model: model, inputShape: inputShape, classNames: classNames,
                          extraMetadata: ["kiln.ensemble_member": "\(index + 1)"])
    }

    /// The part as a document, with the ensemble settings it belongs to.
    func document(inputShape: [Int], classNames: [String], bagging: Bagging, voting: Voting, weights: [Double]?) throws -> SafeTensors {
        var file = MemberPart.modelFile(model, index: record.index, inputShape: inputShape, classNames: classNames)
        file.tensors["oob/probabilities"] = outOfBagProbabilities
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        file.metadata["kiln.member_record"] = String(decoding: try encoder.encode(record), as: UTF8.self)
        file.metadata["kiln.history"] = record.history.map(\.json).joined(separator: "\n")
        file.metadata["kiln.bagging"] = String(decoding: try encoder.encode(EnsembleManifest.BaggingEntry(bagging)), as: UTF8.self)
        file.metadata["kiln.voting"] = voting.rawValue
        file.metadata["kiln.weights"] = weights.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" } ?? "null"
        return file
    }

    /// Reads a part back; every field is checked against the member's `plan` and the
    /// ensemble's shapes. Throws a message naming the field.
    static func read(_ file: SafeTensors, plan: MemberPlan, inputShape: [Int], classes: Int) throws -> MemberPart {
        func fail(_ message: String) -> EnsembleError { .memberFailed(member: plan.index, message: message) }
        guard let spec = file.metadata["kiln.model"] else { throw fail("no kiln.model in the member's part") }
        guard let recordText = file.metadata["kiln.member_record"] else { throw fail("no kiln.member_record in the member's part") }
        var record: MemberRecord
        do { record = try JSONDecoder().decode(MemberRecord.self, from: Data(recordText.utf8)) } catch {
            throw fail("kiln.member_record is malformed: \(Ensemble.describe(error))")
        }
        guard record.index == plan.index, record.seed == plan.seed, record.sampleSize == plan.sample.count else {
            throw fail("kiln.member_record is member \(record.index + 1) with seed \(record.seed), expected member \(plan.index + 1) with seed \(plan.seed)")
        }
        do {
            record.history = try (file.metadata["kiln.history"] ?? "").split(separator: "\n").map { try EpochRecord(json: String($0)) }
        } catch {
            throw fail("kiln.history: \(error)")
        }
        var rng = RandomGenerator(seed: 0)
        let model: Sequential
        do { model = try Sequential.build(spec: spec, inputShape: inputShape, rng: &rng) } catch {
            throw fail("the spec \"\(spec)\" does not build: \(error)")
        }
        try Trainer.loadModel(model, from: file)
        let expected = [plan.sample.outOfBag.count, classes]
        guard let probabilities = file.tensors["oob/probabilities"], probabilities.shape == expected else {
            throw fail("oob/probabilities must have shape \(expected), got \(file.tensors["oob/probabilities"].map { "\($0.shape)" } ?? "none")")
        }
        return MemberPart(record: record, model: model, outOfBagProbabilities: probabilities)
    }

    var outcome: MemberOutcome {
        MemberOutcome(record: record, model: ModelTransfer(value: model), outOfBag: [], outOfBagProbabilities: outOfBagProbabilities)
    }
}
