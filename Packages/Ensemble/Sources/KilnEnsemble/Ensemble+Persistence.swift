import Foundation
import KilnFiles
import KilnLayers
import KilnTensor
import KilnTraining
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Saving and loading an ensemble as a directory:
///
/// ```
/// bagged/
///   ensemble.json            the manifest (below)
///   member-01.safetensors    Trainer.modelFile of member 1: model/<name> tensors + kiln.* metadata
///   member-02.safetensors    ...
/// ```
///
/// `ensemble.json` holds `format` ("kiln-ensemble"), `version` (1), `voting` ("soft" or
/// "hard"), `weights` (null or one number per member), `input_shape`, `class_names`,
/// `bagging` (`members`, `max_samples`, `bootstrap`, `seed` as a string), `out_of_bag`
/// (`correct`, `counted`, `population`, with the voting rule and weights used in
/// training) and `members`: per member its `file`, `model` spec and `training` record
/// (`seed`, `sample_size`, `unique_samples`, `seconds`). Each member file opens on its own
/// in `mnist-classifier --load`, PyTorch or NumPy.
///
/// Writing is atomic at the directory level: everything is written into a temporary
/// directory next to the destination (`.<name>.tmp-<pid>-<n>`), each file flushed with
/// `fsync`, and the temporary directory is then renamed to the destination. An existing
/// ensemble directory is replaced by an atomic exchange (Linux `renameat2(RENAME_EXCHANGE)`;
/// elsewhere two renames, so a crash between them leaves the new directory under the
/// temporary name and the old one gone, never a mixture). A reader sees the old ensemble
/// or the new one, never a half-written directory. A destination that exists and is not
/// an ensemble directory (no `ensemble.json`) is never replaced.
extension Ensemble {
    /// The manifest's file name inside the directory.
    public static let manifestName = "ensemble.json"
    /// The stacking combiner's model file inside the directory (when there is one).
    public static let combinerName = "combiner.safetensors"

    /// Writes the ensemble to the directory `path` atomically (see above).
    public func save(to path: String) throws {
        let destination = Ensemble.trimmed(path)
        func fail(_ message: String) -> EnsembleError { .persistence(path: destination, message: message) }
        let exists = try Ensemble.checkDestination(destination)
        let fm = FileManager.default
        let url = URL(fileURLWithPath: destination)
        let parent = url.deletingLastPathComponent().path
        let temporary = parent + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(Ensemble.nextTemporaryNumber())"
        guard mkdir(temporary, 0o755) == 0 else {
            throw fail("cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        var renamed = false
        defer { if !renamed { try? fm.removeItem(atPath: temporary) } }

        var files: [String] = []
        for (i, model) in members.enumerated() {
            let file = MemberPart.modelFileName(index: i, members: members.count)
            do {
                try MemberPart.modelFile(model, index: i, inputShape: inputShape, classNames: classNames).write(to: temporary + "/" + file)
            } catch {
                throw fail("cannot write \(file): \(error)")
            }
            files.append(file)
        }
        if let combiner {
            do { try combiner.model.save(to: temporary + "/" + Ensemble.combinerName, classNames: classNames) } catch {
                throw fail("cannot write \(Ensemble.combinerName): \(error)")
            }
        }
        do { try AtomicFile.write(try manifestBytes(files: files), to: temporary + "/" + Ensemble.manifestName) } catch {
            throw fail("cannot write \(Ensemble.manifestName): \(error)")
        }

        if !exists {
            guard rename(temporary, destination) == 0 else {
                throw fail("cannot rename \(temporary) to \(destination): \(String(cString: strerror(errno)))")
            }
            renamed = true
        } else if Ensemble.exchange(temporary, destination) {
            // The temporary name now holds the old ensemble.
            renamed = true
            try? fm.removeItem(atPath: temporary)
        } else {
            let old = parent + "/." + url.lastPathComponent + ".old-\(getpid())-\(Ensemble.nextTemporaryNumber())"
            guard rename(destination, old) == 0 else {
                throw fail("cannot move the old ensemble aside: \(String(cString: strerror(errno)))")
            }
            guard rename(temporary, destination) == 0 else {
                let message = String(cString: strerror(errno))
                _ = rename(old, destination)
                throw fail("cannot rename \(temporary) to \(destination): \(message)")
            }
            renamed = true
            try? fm.removeItem(atPath: old)
        }
        AtomicFile.syncDirectory(parent.isEmpty ? "." : parent)
    }

    /// The manifest (`ensemble.json`) of this ensemble whose members are in `files`.
    func manifestBytes(files: [String]) throws -> [UInt8] {
        let entries = zip(members, files).enumerated().map { i, pair in
            EnsembleManifest.Member(file: pair.1, model: pair.0.description, training: training.map { $0.members[i] })
        }
        let manifest = EnsembleManifest(
            format: EnsembleManifest.formatName, version: EnsembleManifest.currentVersion, voting: voting.rawValue,
            weights: weights, inputShape: inputShape, classNames: classNames, bagging: bagging.map(EnsembleManifest.BaggingEntry.init),
            boosting: boosting.map(EnsembleManifest.BoostingEntry.init), combiner: combiner == nil ? nil : Ensemble.combinerName,
            outOfBag: outOfBag, members: entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { return [UInt8](try encoder.encode(manifest)) + [0x0A] } catch {
            throw EnsembleError.persistence(path: Ensemble.manifestName, message: "cannot encode the manifest: \(error)")
        }
    }

    /// Checks, before any work, that ``save(to:)`` can write to `path`: the parent directory
    /// exists and is writable, and `path` does not exist or is an ensemble directory (which
    /// saving replaces). Returns whether `path` exists; throws ``EnsembleError/persistence(path:message:)``.
    @discardableResult
    public static func checkDestination(_ path: String) throws -> Bool {
        let destination = trimmed(path)
        func fail(_ message: String) -> EnsembleError { .persistence(path: destination, message: message) }
        guard !destination.isEmpty else { throw fail("empty directory name") }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: destination, isDirectory: &isDirectory)
        if exists && !(isDirectory.boolValue && fm.fileExists(atPath: destination + "/" + manifestName)) {
            throw fail("exists and is not a Kiln ensemble directory (no \(manifestName)); not replacing it")
        }
        let parent = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        guard fm.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw fail("the directory \(parent) does not exist")
        }
        guard fm.isWritableFile(atPath: parent) else { throw fail("the directory \(parent) is not writable") }
        return exists
    }

    /// Loads an ensemble saved by ``save(to:)``: rebuilds each member from its spec and
    /// loads its weights. Every problem (missing directory or file, malformed manifest,
    /// a member whose tensors do not fit its spec) is a thrown ``EnsembleError``.
    public static func load(from path: String) throws -> Ensemble {
        let directory = trimmed(path)
        func fail(_ message: String) -> EnsembleError { .persistence(path: directory, message: message) }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory) else { throw fail("no such directory") }
        guard isDirectory.boolValue else { throw fail("not a directory (an ensemble is saved as a directory)") }
        guard let data = try? FileReader.read(directory + "/" + manifestName, limit: 1 << 26) else {
            if let progress = arrayProgress(directory) {
                let missing = Array(Set(0..<progress.members).subtracting(progress.present)).sorted()
                if missing.isEmpty {
                    throw fail("all \(progress.members) members of a job-array ensemble are here but not \(manifestName) (a task stopped before writing it): run any one --member task again")
                }
                throw fail("an unfinished job-array ensemble: \(progress.present.count) of \(progress.members) members are here; missing --member \(missing.map(String.init).joined(separator: ", "))")
            }
            throw fail("not a Kiln ensemble directory (no readable \(manifestName))")
        }
        let (manifest, voting): (EnsembleManifest, Voting)
        do { (manifest, voting) = try decodeManifest(data) } catch let error as ManifestError { throw fail(error.message) }
        var models: [Sequential] = []
        for (i, entry) in manifest.members.enumerated() {
            try checkInside(directory, entry.file, label: "member \(i + 1)")
            let file: SafeTensors
            do { file = try SafeTensors(contentsOf: directory + "/" + entry.file) } catch {
                throw fail("member \(i + 1): \(error)")
            }
            var rng = RandomGenerator(seed: 0)
            let model: Sequential
            do { model = try Sequential.build(spec: entry.model, inputShape: manifest.inputShape, rng: &rng) } catch {
                throw fail("member \(i + 1): the spec \"\(entry.model)\" does not build: \(error)")
            }
            do { try Trainer.loadModel(model, from: file) } catch { throw fail("member \(i + 1) (\(entry.file)): \(error)") }
            models.append(model)
        }
        let ensemble: Ensemble
        do {
            ensemble = try Ensemble(members: models, inputShape: manifest.inputShape, classNames: manifest.classNames,
                                    voting: voting, weights: manifest.weights)
        } catch {
            throw fail("\(error)")
        }
        if let entry = manifest.bagging {
            guard let seed = UInt64(entry.seed) else { throw fail("bagging seed '\(entry.seed)' is not an unsigned 64-bit integer") }
            do {
                ensemble.bagging = try Bagging(members: entry.members, maxSamples: entry.maxSamples, bootstrap: entry.bootstrap, seed: seed)
            } catch {
                throw fail("bagging: \(error)")
            }
        }
        if let entry = manifest.boosting {
            guard let seed = UInt64(entry.seed) else { throw fail("boosting seed '\(entry.seed)' is not an unsigned 64-bit integer") }
            guard entry.rounds.count == models.count, entry.members >= models.count else {
                throw fail("boosting lists \(entry.rounds.count) rounds of at most \(entry.members) for \(models.count) members")
            }
            guard manifest.weights == entry.rounds.map(\.alpha), voting == .hard else {
                throw fail("a boosted ensemble votes hard with its rounds' alpha as weights; the manifest's voting or weights differ")
            }
            do {
                ensemble.boosting = BoostingSummary(settings: try Boosting(members: entry.members, seed: seed, shrinkage: entry.shrinkage),
                                                    rounds: entry.rounds, stop: entry.stop)
            } catch {
                throw fail("boosting: \(error)")
            }
        }
        if let name = manifest.combiner {
            try checkInside(directory, name, label: "combiner")
            let loaded: LoadedModel
            do { loaded = try Sequential.load(contentsOf: directory + "/" + name) } catch { throw fail("combiner: \(error)") }
            do {
                ensemble.combiner = try StackingCombiner(model: loaded.model, members: models.count, classes: manifest.classNames.count)
            } catch {
                throw fail("\(name) does not fit the members: \(error)")
            }
        }
        ensemble.outOfBag = manifest.outOfBag
        return ensemble
    }

    /// The largest `ensemble.json` read (a real one is a few kilobytes per member).
    static let manifestByteLimit = 64 << 20

    /// Why a manifest was refused.
    struct ManifestError: Error { var message: String }

    /// Checks an `ensemble.json` document on its own, as ``load(from:)`` does before it opens
    /// any member file: JSON shape and size, format and version, voting, member entries
    /// (plain, distinct file names), input shape, class names, weights, bagging and
    /// boosting records, the out-of-bag score, the combiner's name. Throws
    /// ``EnsembleError/persistence(path:message:)`` naming the field.
    public static func checkManifest(_ bytes: [UInt8]) throws {
        do { _ = try decodeManifest(bytes) } catch let error as ManifestError {
            throw EnsembleError.persistence(path: manifestName, message: error.message)
        }
    }

    static func decodeManifest(_ bytes: [UInt8]) throws -> (EnsembleManifest, Voting) {
        func fail(_ message: String) -> ManifestError { ManifestError(message: message) }
        guard bytes.count <= manifestByteLimit else { throw fail("\(manifestName) is larger than \(manifestByteLimit >> 20) MB") }
        let manifest: EnsembleManifest
        do { manifest = try JSONDecoder().decode(EnsembleManifest.self, from: Data(bytes)) } catch {
            throw fail("\(manifestName) is malformed: \(Ensemble.describe(error))")
        }
        guard manifest.format == EnsembleManifest.formatName else { throw fail("\(manifestName) has format '\(manifest.format)', expected '\(EnsembleManifest.formatName)'") }
        guard manifest.version == EnsembleManifest.currentVersion else {
            throw fail("\(manifestName) has version \(manifest.version); this Kiln reads version \(EnsembleManifest.currentVersion)")
        }
        guard let voting = Voting(rawValue: manifest.voting) else {
            throw fail("unknown voting '\(manifest.voting)' (expected \(Voting.allCases.map(\.rawValue).joined(separator: " or ")))")
        }
        let count = manifest.members.count
        guard count >= 1 else { throw fail("\(manifestName) lists no members") }
        guard count <= 100_000 else { throw fail("\(manifestName) lists \(count) members (at most 100000)") }
        var values = 1, overflow = false
        for d in manifest.inputShape {
            let (p, o) = values.multipliedReportingOverflow(by: d)
            (values, overflow) = (p, overflow || o)
        }
        guard (1...4).contains(manifest.inputShape.count), manifest.inputShape.allSatisfy({ $0 > 0 && $0 <= 1 << 24 }),
              !overflow, values <= 1 << 28 else {
            throw fail("bad input_shape \(manifest.inputShape)")
        }
        guard !manifest.classNames.isEmpty, manifest.classNames.count <= 1 << 20 else {
            throw fail("class_names must list 1 to \(1 << 20) classes, got \(manifest.classNames.count)")
        }
        var seen = Set<String>()
        for (i, entry) in manifest.members.enumerated() {
            guard isPlainName(entry.file) else {
                throw fail("member \(i + 1): file name '\(entry.file)' must be a plain name inside the directory")
            }
            guard seen.insert(entry.file).inserted else { throw fail("member \(i + 1): file '\(entry.file)' is listed twice") }
            guard !entry.model.isEmpty else { throw fail("member \(i + 1): empty model spec") }
        }
        if let weights = manifest.weights, let problem = Voting.weightProblem(weights, members: count) { throw fail("weights: \(problem)") }
        if let bagging = manifest.bagging {
            guard UInt64(bagging.seed) != nil else { throw fail("bagging seed '\(bagging.seed)' is not an unsigned 64-bit integer") }
            guard bagging.members == count else { throw fail("bagging lists \(bagging.members) members, the manifest \(count)") }
            guard bagging.maxSamples > 0 && bagging.maxSamples <= 1 else { throw fail("bagging max_samples \(bagging.maxSamples) is not in (0, 1]") }
        }
        if let oob = manifest.outOfBag {
            guard oob.correct >= 0, oob.correct <= oob.counted, oob.counted <= oob.population else {
                throw fail("out_of_bag: correct \(oob.correct), counted \(oob.counted), population \(oob.population) do not fit together")
            }
        }
        if let boosting = manifest.boosting {
            guard UInt64(boosting.seed) != nil else { throw fail("boosting seed '\(boosting.seed)' is not an unsigned 64-bit integer") }
            guard boosting.rounds.count == count, boosting.members >= count else {
                throw fail("boosting lists \(boosting.rounds.count) rounds of at most \(boosting.members) for \(count) members")
            }
            guard boosting.shrinkage > 0 && boosting.shrinkage <= 1 else { throw fail("boosting shrinkage \(boosting.shrinkage) is not in (0, 1]") }
            guard manifest.weights == boosting.rounds.map(\.alpha), voting == .hard else {
                throw fail("a boosted ensemble votes hard with its rounds' alpha as weights; the manifest's voting or weights differ")
            }
        }
        if let combiner = manifest.combiner, combiner != combinerName {
            throw fail("combiner file '\(combiner)' must be \(combinerName)")
        }
        return (manifest, voting)
    }

    /// A name that stays inside its folder: not empty, no `/`, not starting with `.`
    /// (so not `..` or a hidden temporary), no NUL.
    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 255 && !name.contains("/") && !name.hasPrefix(".") && !name.contains("\0")
    }

    /// Throws unless `directory/name` is a regular file whose real path (symbolic links
    /// resolved) is inside the directory's real path.
    static func checkInside(_ directory: String, _ name: String, label: String) throws {
        func fail(_ message: String) -> EnsembleError { .persistence(path: directory, message: "\(label): \(message)") }
        guard isPlainName(name) else { throw fail("file name '\(name)' must be a plain name inside the directory") }
        let folder = URL(fileURLWithPath: directory).resolvingSymlinksInPath().path
        let file = URL(fileURLWithPath: directory + "/" + name).resolvingSymlinksInPath().path
        guard file.hasPrefix(folder + "/"), !file.dropFirst(folder.count + 1).contains("/") else {
            throw fail("\(name) is a link out of the ensemble directory (to \(file))")
        }
    }

    /// A path without trailing slashes ("/" stays "/").
    static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        return p
    }

    private static let counter = Mutex(0)

    static func nextTemporaryNumber() -> Int {
        counter.withLock { n in
            n += 1
            return n
        }
    }

    /// Atomically swaps two paths with Linux's `renameat2(RENAME_EXCHANGE)`, looked up at
    /// run time (glibc declares it only under `_GNU_SOURCE`). False when it is unavailable
    /// or the file system does not support it.
    static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = dlsym(nil, "renameat2") else { return false }
        let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
        let renameExchange: UInt32 = 2  // RENAME_EXCHANGE in <linux/fs.h>
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
        #else
        return false
        #endif
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)'\(Ensemble.where_(context))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type\(Ensemble.where_(context)): \(context.debugDescription)"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "bad value\(Ensemble.where_(context)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func where_(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "" : " at " + context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}

/// The `ensemble.json` document.
struct EnsembleManifest: Codable {
    static let formatName = "kiln-ensemble"
    static let currentVersion = 1

    var format: String
    var version: Int
    var voting: String
    var weights: [Double]?
    var inputShape: [Int]
    var classNames: [String]
    var bagging: BaggingEntry?
    /// A boosted ensemble's rounds (absent in bagging ensembles and in files of before).
    var boosting: BoostingEntry?
    /// The stacking combiner's file (absent: the members vote by `voting`).
    var combiner: String?
    var outOfBag: OutOfBagScore?
    var members: [Member]

    enum CodingKeys: String, CodingKey {
        case format, version, voting, weights, inputShape = "input_shape", classNames = "class_names", bagging, boosting, combiner,
             outOfBag = "out_of_bag", members
    }

    struct BoostingEntry: Codable {
        var members: Int
        var seed: String
        var shrinkage: Double
        var rounds: [BoostingRound]
        var stop: String?

        init(_ summary: BoostingSummary) {
            members = summary.settings.members
            seed = String(summary.settings.seed)
            shrinkage = summary.settings.shrinkage
            rounds = summary.rounds
            stop = summary.stop
        }
    }

    struct Member: Codable {
        var file: String
        var model: String
        var training: MemberRecord?
    }

    struct BaggingEntry: Codable {
        var members: Int
        var maxSamples: Double
        var bootstrap: Bool
        var seed: String

        enum CodingKeys: String, CodingKey {
            case members, maxSamples = "max_samples", bootstrap, seed
        }

        init(_ bagging: Bagging) {
            members = bagging.members
            maxSamples = bagging.maxSamples
            bootstrap = bagging.bootstrap
            seed = String(bagging.seed)
        }
    }
}
