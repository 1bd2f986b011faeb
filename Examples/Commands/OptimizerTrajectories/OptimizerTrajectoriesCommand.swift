import ArgumentParser
import KilnExampleSupport
import Foundation
import KilnOptimizers
import KilnPlot
import KilnTensor

/// `optimizer-trajectories`: runs optimizers on a 2-D test function from one start point
/// and writes the path of every optimizer as CSV (and optionally an SVG contour plot).
///
/// Each optimizer is the real KilnOptimizers type made from its spec; the point (x, y) is
/// one `Parameter` named "xy" holding `Tensor([x, y])` (Float32). Every step sets its
/// gradient from ``/KilnOptimizers/TestFunction/gradient(x:y:)`` and calls `step`. Diverging
/// runs are kept
/// (the CSV shows `inf`/`nan`, the SVG clips the path to the plot).
///
/// `--preset classic` draws the two figures of the course notes (chapter 6.1):
/// - quadratic x²/10 + y² from (−7, 2), 20 steps: sgd(lr=0.95), momentum(lr=0.1),
///   rmsprop(lr=0.5), adam(lr=0.5) (the values the issue names);
/// - elongated x²/20 + y² from (−7, 2), 30 steps: sgd(lr=0.95), momentum(lr=0.1),
///   adagrad(lr=1.5), adam(lr=0.3). The notes (001) show these four paths but give no
///   learning rates; these are the ones of the book the notes follow (Saito, *Deep
///   Learning from Scratch*, figure 6-8, 30 updates), with our defaults for the rest
///   (momentum 0.9, AdaGrad eps 1e-6 outside the root, Adam betas 0.9/0.999).
public struct OptimizerTrajectoriesCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "optimizer-trajectories",
        abstract: "Runs optimizers on a 2-D test function; writes the paths as CSV and an SVG contour plot.",
        discussion: """
            CSV columns: optimizer,function,step,x,y,loss (step 0 is the start; the optimizer \
            column is the spec as given, quoted per RFC 4180). The CSV goes to standard output \
            unless --csv is given.
            Functions: quadratic x^2/10+y^2, elongated x^2/20+y^2, rosenbrock (1-x)^2+100(y-x^2)^2, \
            saddle x^2-y^2.
            --preset classic runs the course notes' two figures (quadratic, 20 steps: sgd(lr=0.95), \
            momentum(lr=0.1), rmsprop(lr=0.5), adam(lr=0.5); elongated, 30 steps: sgd(lr=0.95), \
            momentum(lr=0.1), adagrad(lr=1.5), adam(lr=0.3), both from (-7,2)); with it, --svg is a \
            prefix: PREFIX-quadratic.svg and PREFIX-elongated.svg. It cannot be combined with \
            --function, --start, --steps or --optimizer.
            Everything is validated before any file is written; files are written atomically.
            Exit status: 0 on success, 64 for usage errors (unknown optimizer or function, \
            malformed spec, bad --start), 1 when a file cannot be written.
            """)

    @Option(help: "Test function: quadratic, elongated, rosenbrock or saddle. (default: quadratic)")
    var function: String?

    @Option(parsing: .unconditional, help: "Start point x,y; negative values work: --start -7,2 or --start=-7,2. (default: -7,2)")
    var start: String?

    @Option(help: "Number of optimizer steps. (default: 20)")
    var steps: Int?

    @Option(name: .customLong("optimizer"), help: "Optimizer spec, repeatable, e.g. \"sgd(lr=0.95)\". (default: sgd(lr=0.95), momentum(lr=0.1), rmsprop(lr=0.5), adam(lr=0.5))")
    var optimizerSpecs: [String] = []

    @Option(help: "Write the CSV to this file instead of standard output.")
    var csv: String?

    @Option(help: "Write an SVG contour plot with one path per optimizer (with --preset: a file name prefix).")
    var svg: String?

    @Option(help: "A preset experiment: classic (the course notes' two figures).")
    var preset: String?

    static let classicQuadratic = ["sgd(lr=0.95)", "momentum(lr=0.1)", "rmsprop(lr=0.5)", "adam(lr=0.5)"]
    static let classicElongated = ["sgd(lr=0.95)", "momentum(lr=0.1)", "adagrad(lr=1.5)", "adam(lr=0.3)"]

    /// Runs the command with the examples' error contract (`CommandMain`).
    public static func main() { CommandMain.run(OptimizerTrajectoriesCommand.self) }

    public func run() throws {
        // 1. Validate every input and build the experiments (no file touched yet).
        let experiments: [Experiment]
        if let preset {
            guard preset == "classic" else { throw ValidationError("unknown preset '\(preset)' (valid: classic)") }
            guard function == nil, start == nil, steps == nil, optimizerSpecs.isEmpty else {
                throw ValidationError("--preset classic cannot be combined with --function, --start, --steps or --optimizer")
            }
            experiments = [
                try Experiment(function: .quadratic, start: (-7, 2), steps: 20, specs: Self.classicQuadratic),
                try Experiment(function: .elongated, start: (-7, 2), steps: 30, specs: Self.classicElongated),
            ]
        } else {
            let name = function ?? "quadratic"
            guard let f = TestFunction(rawValue: name) else {
                throw ValidationError("unknown function '\(name)' (valid: \(TestFunction.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let point = try Self.parseStart(start ?? "-7,2")
            let count = steps ?? 20
            guard (0...100_000).contains(count) else { throw ValidationError("--steps must be in 0...100000, got \(count)") }
            experiments = [try Experiment(function: f, start: point, steps: count,
                                          specs: optimizerSpecs.isEmpty ? Self.classicQuadratic : optimizerSpecs)]
        }
        var outputs: [(path: String, text: String)] = []
        if let svg {
            if preset != nil {
                for e in experiments { outputs.append(("\(svg)-\(e.function.rawValue).svg", "")) }
            } else {
                outputs.append((svg, ""))
            }
        }
        if let csv { outputs.append((csv, "")) }
        for o in outputs { try Self.checkWritable(o.path) }
        let paths = outputs.map(\.path)
        guard Set(paths).count == paths.count else { throw ValidationError("the same output file is named twice") }

        // 2. Run.
        let runs = experiments.map { $0.run() }

        // 3. Render, then write.
        var csvText = "optimizer,function,step,x,y,loss\n"
        for run in runs {
            for path in run.paths {
                for (k, p) in path.points.enumerated() {
                    csvText += "\(Self.csvField(path.spec)),\(run.experiment.function.rawValue),\(k),\(p.x),\(p.y),\(p.loss)\n"
                }
            }
        }
        var files: [(String, String)] = []
        if let svg {
            for run in runs {
                files.append((preset != nil ? "\(svg)-\(run.experiment.function.rawValue).svg" : svg, run.contourPlot().svg()))
            }
        }
        if let csv { files.append((csv, csvText)) } else { print(csvText, terminator: "") }
        for (path, text) in files {
            do { try writeAtomically(text, to: path) } catch { throw ExitCodeError(message: "\(error)") }
        }
    }

    /// Parses "x,y" (two finite numbers, spaces allowed).
    static func parseStart(_ text: String) throws -> (Float, Float) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let x = Float(parts[0]), let y = Float(parts[1]), x.isFinite, y.isFinite else {
            throw ValidationError("--start must be two finite numbers x,y (e.g. -7,2), got '\(text)'")
        }
        return (x, y)
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Usage error (64) when the output's directory does not exist or names a directory.
    static func checkWritable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ValidationError("output '\(path)' is a directory")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dir = directory.isEmpty ? "." : directory
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("directory of output '\(path)' does not exist")
        }
    }
}

/// A runtime failure (exit 1) with a one-line message.
struct ExitCodeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
