import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The classic-experiment examples run end to end: `--help`, a tiny configuration whose
/// printed numbers tell the notes' story, SVGs that parse as XML, and usage errors that
/// exit 64 with one stderr line and write nothing.
@Suite struct ClassicExperimentsTests {
    /// The numbers after `label` on the first line that starts with it (thousands
    /// separators and % signs dropped).
    static func row(_ label: String, in text: String) -> [Double] {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(label) }) else { return [] }
        return line.dropFirst(label.count).split(separator: " ")
            .compactMap { Double($0.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "%", with: "")) }
    }

    /// The lines of one pair's block in the init-histograms table (label line and the two after it).
    static func block(_ label: String, in text: String) -> [String] {
        let lines = text.split(separator: "\n").map(String.init)
        guard let i = lines.firstIndex(where: { $0.hasPrefix(label) }) else { return [] }
        return Array(lines[i..<min(lines.count, i + 3)])
    }

    static func numbers(_ line: String) -> [Double] {
        line.split(separator: " ").compactMap { Double($0.replacingOccurrences(of: "%", with: "")) }
    }

    static func parsesAsXML(_ path: String) throws -> Bool {
        XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: path))).parse()
    }

    @Test(arguments: [
        ("init-histograms", ["--svg", "--zero-init", "--layers", "--units", "--pair"]),
        ("regularization-comparison", ["--epochs", "--svg", "--limit", "--l1", "--l2", "--dropout"]),
        ("hyperparameter-search", ["--trials", "--epochs", "--jobs", "--space", "--svg", "--rounds"]),
    ])
    func helpListsTheContractFlags(example: String, flags: [String]) throws {
        let r = try ExampleRunner.run(example, ["--help"])
        #expect(r.status == 0, "\(r.stderr)")
        for flag in flags { #expect(r.stdout.contains(flag), "\(example) --help mentions \(flag)") }
    }

    /// The seven pairs: std-1 sigmoid saturates in the deep layers, Xavier + ReLU shrinks
    /// layer by layer, He + ReLU keeps its spread; one histogram panel per layer and pair.
    @Test func initHistogramsTellTheStory() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let r = try ExampleRunner.run("init-histograms", ["--svg", dir + "/init.svg"])  // the defaults: 6 x 100, 1,000 inputs
        #expect(r.status == 0, "\(r.stderr)")
        for label in ["N(0, 1) + sigmoid", "N(0, 0.01) + sigmoid", "Xavier + sigmoid", "Xavier + tanh", "Xavier + ReLU", "He + ReLU", "He + leaky ReLU"] {
            #expect(Self.block(label, in: r.stdout).count == 3, "table has \(label)")
        }
        let std1 = Self.block("N(0, 1) + sigmoid", in: r.stdout)
        let saturated = Self.numbers(std1[2])
        #expect(saturated.count == 6 && saturated[3...].allSatisfy { $0 > 40 }, "std-1 sigmoid saturation per layer: \(saturated)")
        let xavier = Self.numbers(Self.block("Xavier + ReLU", in: r.stdout)[1])
        let he = Self.numbers(Self.block("He + ReLU", in: r.stdout)[1])
        #expect(xavier.count == 6 && he.count == 6)
        #expect(xavier[5] < 0.35 * xavier[0], "Xavier + ReLU std shrinks: \(xavier)")
        #expect(he[5] > 0.6 * he[0] && he[5] < 1.6 * he[0], "He + ReLU std keeps: \(he)")
        #expect(try Self.parsesAsXML(dir + "/init.svg"))
        let svg = try String(contentsOfFile: dir + "/init.svg", encoding: .utf8)
        #expect(svg.components(separatedBy: ">layer 6 ").count - 1 == 7, "one layer-6 panel per pair")
    }

    @Test func initHistogramsRunsWithNoArguments() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let r = try ExampleRunner.run("init-histograms", [], directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("He + ReLU") && r.stdout.contains("layer 6"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "no figure without --svg")
    }

    @Test func zeroInitKeepsHiddenUnitsIdentical() throws {
        let r = try ExampleRunner.run("init-histograms", ["--zero-init", "--epochs", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let zeros = r.stdout.split(separator: "\n").first { $0.hasPrefix("zeros ") }.map(String.init) ?? ""
        let he = r.stdout.split(separator: "\n").first { $0.hasPrefix("he-normal ") }.map(String.init) ?? ""
        #expect(zeros.hasSuffix("1 of 16"), "zeros: \(zeros)")
        #expect(he.hasSuffix("16 of 16"), "he-normal: \(he)")
    }

    /// A small run of the comparison: L1 leaves more near-zero weights than L2 and none,
    /// L2 the smallest L2 norms; the weight histograms parse.
    @Test func regularizationComparisonTable() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let r = try ExampleRunner.run("regularization-comparison",
                                      ["--limit", "2000", "--epochs", "8", "--l1", "5e-4", "--l2", "1e-2", "--svg", dir + "/reg.svg"])
        #expect(r.status == 0, "\(r.stderr)")
        let small = Self.row("|w| < 1e-2", in: r.stdout)
        #expect(small.count == 4, "\(r.stdout)")
        if small.count == 4 {
            #expect(small[2] > small[1] && small[2] > small[0], "L1 has the most weights under 1e-2: \(small)")
        }
        for layer in 1...3 {
            let norms = Self.row("layer \(layer) L2 norm", in: r.stdout)
            #expect(norms.count == 4 && norms[1] == norms.min(), "layer \(layer) L2 norms (none, L2, L1, dropout): \(norms)")
        }
        let accuracy = Self.row("test accuracy", in: r.stdout)
        #expect(accuracy.count == 4 && accuracy.allSatisfy { $0 > 0.5 }, "\(accuracy)")
        #expect(try Self.parsesAsXML(dir + "/reg.svg"))
    }

    /// A tiny search: two rounds and a grid, a leaderboard, a scatter SVG, and the same
    /// output with one job as with three.
    @Test func hyperparameterSearchIsDeterministicAcrossJobs() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let common = ["--trials", "4", "--rounds", "2", "--epochs", "1", "--limit", "1200", "--dev-size", "300", "--grid", "12"]
        let one = try ExampleRunner.run("hyperparameter-search", common + ["--jobs", "1", "--svg", dir + "/search.svg"])
        let three = try ExampleRunner.run("hyperparameter-search", common + ["--jobs", "3"])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(three.status == 0, "\(three.stderr)")
        #expect(one.stdout.contains("leaderboard (top 10 of 20 trials"), "\(one.stdout)")
        #expect(one.stdout.contains("round 2 (finer)") && one.stdout.contains("grid (2 x 2 x 3 = 12 trials"), "\(one.stdout)")
        func stable(_ text: String) -> [String] {
            text.split(separator: "\n").map { line in
                line.replacingOccurrences(of: #"[0-9.]+ s;"#, with: "", options: .regularExpression)
                    .replacingOccurrences(of: #"[0-9]+ jobs?"#, with: "", options: .regularExpression)
            }.filter { !$0.hasPrefix("wrote ") }
        }
        #expect(stable(one.stdout) == stable(three.stdout))
        #expect(one.stdout.contains("final: the best configuration") && one.stdout.contains("test accuracy"), "\(one.stdout)")
        #expect(try Self.parsesAsXML(dir + "/search.svg"))
    }

    @Test(arguments: [
        ("init-histograms", ["--layers", "0"], "--layers"),
        ("init-histograms", ["--pair", "nonsense"], "--pair"),
        ("init-histograms", ["--pair", "no-such-init+relu"], "unknown initializer"),
        ("init-histograms", ["--zero-init", "--bins", "0"], "--bins"),
        ("init-histograms", ["--units", "many"], "--units"),
        ("regularization-comparison", ["--epochs", "0"], "--epochs"),
        ("regularization-comparison", ["--l2=-1"], "--l2"),
        ("regularization-comparison", ["--dropout", "1"], "--dropout"),
        ("regularization-comparison", ["--model", "dense(64)|nope|dense(10)"], "unknown layer"),
        ("regularization-comparison", ["--data", "mnist"], "--data"),
        ("hyperparameter-search", ["--space", "lr=log(1e-1, 1e-4)"], "at column 14"),
        ("hyperparameter-search", ["--space", "lr=logg(1e-4, 1e-1)"], "unknown distribution"),
        ("hyperparameter-search", ["--space", "lr=log(1e-4, 1e-1), width=choice(1, 2)"], "at column 21: unknown hyper-parameter 'width'"),
        ("hyperparameter-search", ["--space", "lr=log(1e-4, 10), l1=log(1e-6, 1e-2), l2=log(1e-6, 1e-2)"], "at column 39: search l1 or l2"),
        ("hyperparameter-search", ["--final-epochs=-1"], "--final-epochs"),
        ("hyperparameter-search", ["--jobs", "0"], "--jobs"),
        ("hyperparameter-search", ["--trials", "0"], "--trials"),
        ("hyperparameter-search", ["--optimizer", "rmsprop"], "--optimizer"),
    ])
    func usageErrorsExit64(example: String, arguments: [String], message: String) throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let r = try ExampleRunner.run(example, arguments + (arguments.contains("--zero-init") ? [] : ["--svg", dir + "/out.svg"]))
        #expect(r.status == 64, "\(example) \(arguments): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "nothing written")
    }

    /// A figure that cannot be written is a runtime error (exit 1), one line, found before
    /// any training starts.
    @Test(arguments: ["init-histograms", "regularization-comparison", "hyperparameter-search"])
    func unwritableFigureIsARuntimeError(example: String) throws {
        let start = Date()
        let r = try ExampleRunner.run(example, ["--svg", "/nonexistent-dir/x.svg"])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("does not exist"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 5, "checked before the experiment runs")
    }
}
