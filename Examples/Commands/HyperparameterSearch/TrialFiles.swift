import Foundation
import KilnExampleSupport
import KilnFiles
import KilnTraining

/// Job-array mode of `hyperparameter-search`: `--trial K --save DIR` evaluates trial K
/// alone and writes `DIR/trial-KKKK.json`; `--collect DIR` reads every trial back and
/// prints what the one-process search prints.
///
/// Trial K numbers the random trials across rounds (round r holds K in
/// (r−1)·trials ..< r·trials), then the grid (K − rounds·trials). A trial of round r > 1
/// samples from ranges set by rounds 1…r−1, so it needs their files in DIR (submit the
/// rounds as dependent arrays); round 1 and the grid need nothing.
struct TrialFolder {
    let path: String
    /// The options that decide every trial (a file from another search is refused).
    let fingerprint: String

    struct Record: Codable {
        var format: String
        var version: Int
        var search: String
        var index: Int
        var source: String
        var configuration: String
        var seed: String
        var result: TrialResult
    }

    static let formatName = "kiln-search-trial"

    func fileName(_ task: TrialTask) -> String {
        let prefix: String
        switch task.source {
        case .random: prefix = "trial"
        case .grid: prefix = "grid"
        }
        let number = "\(task.index)"
        return prefix + "-" + String(repeating: "0", count: max(0, 4 - number.count)) + number + ".json"
    }

    /// Writes one trial's result atomically (creating the folder).
    func write(_ task: TrialTask, _ result: TrialResult) throws {
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw ExampleError("--save: cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let record = Record(format: TrialFolder.formatName, version: 1, search: fingerprint, index: task.index,
                            source: task.source.description, configuration: task.configuration.description,
                            seed: String(task.seed), result: result)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(record)) + [0x0A], to: path + "/" + fileName(task))
    }

    /// Reads the results of `tasks`; a missing or foreign file is an error naming it.
    func read(_ tasks: [TrialTask], flag: String) throws -> [TrialResult] {
        let missing = tasks.filter { !FileManager.default.fileExists(atPath: path + "/" + fileName($0)) }
        if !missing.isEmpty {
            let numbers = missing.map { task -> String in
                if case .grid = task.source { return "grid \(task.index)" }
                return "\(task.index)"
            }
            let shown = numbers.prefix(10).joined(separator: ", ") + (numbers.count > 10 ? ", …" : "")
            throw ExampleError("\(flag): \(path) lacks \(missing.count) of the \(tasks.count) trials this step needs (--trial \(shown))")
        }
        return try tasks.map { task in
            let name = path + "/" + fileName(task)
            let data: Data
            do { data = Data(try FileReader.read(name, limit: 1 << 26)) } catch { throw ExampleError("\(flag): \(error)") }
            let record: Record
            do { record = try JSONDecoder().decode(Record.self, from: data) } catch {
                throw ExampleError("\(flag): \(name) is not a trial file: \(error)")
            }
            guard record.format == TrialFolder.formatName, record.version == 1 else {
                throw ExampleError("\(flag): \(name) has format \(record.format) version \(record.version), expected \(TrialFolder.formatName) version 1")
            }
            guard record.search == fingerprint else {
                throw ExampleError("\(flag): \(name) belongs to another search (\(record.search)); this one is \(fingerprint)")
            }
            guard record.index == task.index, record.configuration == task.configuration.description, record.seed == String(task.seed) else {
                throw ExampleError("\(flag): \(name) holds trial \(record.index) \(record.configuration), expected \(task.index) \(task.configuration)")
            }
            return record.result
        }
    }
}

/// Thrown by the job-array runner once its one trial is written: ends the search.
struct TrialWritten: Error {
    var task: TrialTask
    var result: TrialResult
}
