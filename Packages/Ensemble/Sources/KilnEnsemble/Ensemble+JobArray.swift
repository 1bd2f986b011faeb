import Foundation
import KilnData
import KilnFiles
import KilnTensor
import KilnTraining
#if canImport(Glibc)
import Glibc
#endif

/// Job-array mode: a scheduler (a Slurm `sbatch --array=0-(N-1)`, any batch system, or a
/// shell loop) runs one process per member; each trains exactly member K of the N-member
/// ensemble and adds it to a shared folder, and the folder becomes a complete ensemble
/// when the last member arrives.
///
/// The folder then holds what ``Ensemble/save(to:)`` writes (`ensemble.json`,
/// `member-KK.safetensors`, byte-identical member files) and, per member, its
/// ``MemberPart`` `member-KK.part.safetensors` (record, history, out-of-bag predictions)
/// from which the manifest is built. Each file is written atomically (a temporary name,
/// `fsync`, `rename`), so several tasks may write into the folder at once; whichever task
/// finds every part present writes `ensemble.json` (two that do write the same bytes).
extension Ensemble {
    /// What ``addMember(_:to:bagging:voting:weights:inputShape:classNames:labels:)`` found.
    public struct ArrayProgress: Sendable, Equatable {
        /// 0-based indices of the members whose parts are in the folder.
        public var present: [Int]
        /// The ensemble's member count.
        public var members: Int
        /// Whether every member's part is present.
        public var isComplete: Bool { present.count == members }
        /// 0-based indices still missing.
        public var missing: [Int] { Array(Set(0..<members).subtracting(present)).sorted() }
    }

    /// Adds a trained member to the ensemble folder `path` (created if needed) and writes
    /// the manifest once every member of `bagging` is there. `labels` are the training
    /// set's (for the out-of-bag score). Parts already in the folder must belong to the
    /// same ensemble (bagging settings, voting, weights, input shape and classes), or
    /// this throws naming the file.
    @discardableResult
    public static func addMember(_ part: MemberPart, to path: String, bagging: Bagging, voting: Voting, weights: [Double]?,
                                 inputShape: [Int], classNames: [String], labels: [Int]) throws -> ArrayProgress {
        let directory = trimmed(path)
        func fail(_ message: String) -> EnsembleError { .persistence(path: directory, message: message) }
        try prepareArrayFolder(directory)
        let index = part.record.index
        guard (0..<bagging.members).contains(index) else { throw fail("member \(index + 1) is not in an ensemble of \(bagging.members)") }
        let document = try part.document(inputShape: inputShape, classNames: classNames, bagging: bagging, voting: voting, weights: weights)
        let modelName = MemberPart.modelFileName(index: index, members: bagging.members)
        let partName = MemberPart.partFileName(index: index, members: bagging.members)
        do {
            try AtomicFile.write(MemberPart.modelFile(part.model, index: index, inputShape: inputShape, classNames: classNames).encoded(),
                                 to: directory + "/" + modelName)
            try AtomicFile.write(document.encoded(), to: directory + "/" + partName)
        } catch {
            throw fail("cannot write member \(index + 1): \(error)")
        }
        return try assembleIfComplete(directory, expected: document, bagging: bagging, voting: voting, weights: weights,
                                      inputShape: inputShape, classNames: classNames, labels: labels)
    }

    /// Creates the folder if it does not exist; refuses a path that is not a directory.
    static func prepareArrayFolder(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw EnsembleError.persistence(path: directory, message: "exists and is not a directory") }
            return
        }
        let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EnsembleError.persistence(path: directory, message: "the directory \(parent) does not exist")
        }
        // Several tasks may create it at once: EEXIST is success.
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw EnsembleError.persistence(path: directory, message: "cannot create it: \(String(cString: strerror(errno)))")
        }
    }

    /// The metadata that every part of one ensemble shares.
    private static let sharedKeys = ["kiln.bagging", "kiln.voting", "kiln.weights", "kiln.input_shape", "kiln.class_names"]

    /// Reads the parts present; when all are, writes `ensemble.json`.
    static func assembleIfComplete(_ directory: String, expected: SafeTensors, bagging: Bagging, voting: Voting, weights: [Double]?,
                                   inputShape: [Int], classNames: [String], labels: [Int]) throws -> ArrayProgress {
        func fail(_ message: String) -> EnsembleError { .persistence(path: directory, message: message) }
        var documents: [Int: SafeTensors] = [:]
        for i in 0..<bagging.members {
            let name = MemberPart.partFileName(index: i, members: bagging.members)
            let path = directory + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let file: SafeTensors
            do { file = try SafeTensors(contentsOf: path) } catch { throw fail("\(name): \(error)") }
            for key in sharedKeys where file.metadata[key] != expected.metadata[key] {
                throw fail("\(name) belongs to another ensemble (\(key) is \(file.metadata[key] ?? "missing"), this run's is \(expected.metadata[key] ?? "missing")); use another folder")
            }
            documents[i] = file
        }
        let progress = ArrayProgress(present: documents.keys.sorted(), members: bagging.members)
        guard progress.isComplete else { return progress }
        let plans = bagging.plans(population: labels.count)
        var parts: [MemberPart] = []
        for i in 0..<bagging.members {
            do { parts.append(try MemberPart.read(documents[i]!, plan: plans[i], inputShape: inputShape, classes: classNames.count)) } catch {
                throw fail("\(MemberPart.partFileName(index: i, members: bagging.members)): \(error)")
            }
        }
        let ensemble = try Ensemble(members: parts.map(\.model), inputShape: inputShape, classNames: classNames, voting: voting, weights: weights)
        ensemble.bagging = bagging
        ensemble.training = EnsembleTraining(
            bagging: bagging, parallelism: try Parallelism(members: bagging.members, jobs: 1, threads: 1),
            members: parts.map(\.record), seconds: parts.reduce(0) { $0 + $1.record.seconds }, labels: labels,
            outOfBagPredictions: zip(parts, plans).map { ($1.sample.outOfBag, $0.outOfBagProbabilities) })
        ensemble.outOfBag = ensemble.training!.outOfBagScore(voting: voting, weights: weights)
        let files = (0..<bagging.members).map { MemberPart.modelFileName(index: $0, members: bagging.members) }
        do { try AtomicFile.write(try ensemble.manifestBytes(files: files), to: directory + "/" + manifestName) } catch {
            throw fail("cannot write \(manifestName): \(error)")
        }
        return progress
    }

    /// For a folder without `ensemble.json`: which members' parts it holds (nil when it
    /// holds none, so it is not a job-array folder at all).
    static func arrayProgress(_ directory: String) -> (present: [Int], members: Int)? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        var present: [Int] = []
        var members = 0
        for name in names where name.hasPrefix("member-") && name.hasSuffix(".part.safetensors") {
            guard let file = try? SafeTensors(contentsOf: directory + "/" + name),
                  let text = file.metadata["kiln.bagging"],
                  let entry = try? JSONDecoder().decode(EnsembleManifest.BaggingEntry.self, from: Data(text.utf8)),
                  let number = Int(name.dropFirst("member-".count).prefix { $0.isNumber }) else { continue }
            members = max(members, entry.members)
            present.append(number - 1)
        }
        return present.isEmpty ? nil : (present.sorted(), members)
    }
}

extension Bagging {
    /// Trains member `index` alone, as in ``fit(train:dev:epochs:parallelism:voting:weights:communicator:makeMember:)``
    /// (same sample, seed and `makeMember`, so the same weights), with `threads` workers.
    public func fitMember(_ index: Int, train: TensorDataset, dev: (any Dataset)? = nil, epochs: Int, threads: Int = 1,
                          makeMember: @escaping @Sendable (MemberContext) throws -> MemberSetup) throws -> MemberPart {
        guard (0..<members).contains(index) else {
            throw EnsembleError.invalidConfiguration("member \(index) is not in 0..<\(members) (members are numbered from 0)")
        }
        guard epochs >= 1 else { throw EnsembleError.invalidConfiguration("epochs must be at least 1, got \(epochs)") }
        guard train.count > 0 else { throw EnsembleError.invalidConfiguration("the training set is empty") }
        BLAS.threadCount = 1
        let plan = plans(population: train.count)[index]
        let outcome = try Bagging.trainMember(plan, train: train, dev: dev, epochs: epochs, threads: threads, makeMember: makeMember)
        return MemberPart(record: outcome.record, model: outcome.model.value, outOfBagProbabilities: outcome.outOfBagProbabilities)
    }
}
