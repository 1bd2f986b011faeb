import ArgumentParser
import KilnExampleSupport
import KilnPlot
import KilnTensor

/// `init-histograms`: the course notes' initialization experiment. A deep MLP (6 dense
/// layers of 100 units by default) is fed 1,000 standard-normal inputs, once per
/// initializer/activation pair; the table gives each layer's activation mean and std and
/// the SVG one histogram per layer. `--zero-init` runs the symmetry experiment instead.
public struct InitHistogramsCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "init-histograms",
        abstract: "Activation histograms per layer for initializer/activation pairs (the course notes' experiment).",
        discussion: """
            Default pairs: N(0,1)+sigmoid, N(0,0.01)+sigmoid, Xavier+sigmoid,
            Xavier+tanh, Xavier+ReLU, He+ReLU, He+leaky ReLU.
            What to look for: std 1 saturates sigmoid (values at 0 and 1), std 0.01
            collapses it onto 0.5, Xavier keeps sigmoid/tanh spread, Xavier+ReLU
            shrinks layer by layer, He+ReLU keeps its spread.

            Examples:
              init-histograms --svg init-histograms.svg
              init-histograms --pair "orthogonal+tanh" --pair "lecun-normal+elu"
              init-histograms --zero-init
            """)

    @Option(help: ArgumentHelp("Write the histograms (one row per pair, one panel per layer) to FILE.", valueName: "file"))
    var svg: String?

    @Flag(name: .customLong("zero-init"), help: "Instead: train a small sigmoid net from all-zero weights and show its hidden units stay identical (vs he-normal).")
    var zeroInit = false

    @Option(help: "Dense layers in the network.")
    var layers = 6

    @Option(help: "Units per dense layer (and input features).")
    var units = 100

    @Option(help: "Random input rows.")
    var samples = 1000

    @Option(help: ArgumentHelp("An INIT+ACTIVATION pair to show instead of the default seven (repeatable), e.g. \"xavier-uniform+tanh\".", valueName: "pair"))
    var pair: [String] = []

    @Option(help: "Histogram bins per panel.")
    var bins = 30

    @Option(help: "Hidden units of the --zero-init network.")
    var hidden = 16

    @Option(help: "Training epochs of the --zero-init network.")
    var epochs = 20

    @Option(help: "Random seed (inputs, weights).")
    var seed: UInt64 = 1

    public static func main() { CommandMain.run(InitHistogramsCommand.self) }

    public mutating func validate() throws {
        guard (1...100).contains(layers) else { throw ValidationError("--layers must be between 1 and 100, got \(layers)") }
        guard (1...4096).contains(units) else { throw ValidationError("--units must be between 1 and 4096, got \(units)") }
        guard (1...100_000).contains(samples) else { throw ValidationError("--samples must be between 1 and 100000, got \(samples)") }
        guard (1...500).contains(bins) else { throw ValidationError("--bins must be between 1 and 500, got \(bins)") }
        guard (2...1024).contains(hidden) else { throw ValidationError("--hidden must be between 2 and 1024, got \(hidden)") }
        guard (1...1000).contains(epochs) else { throw ValidationError("--epochs must be between 1 and 1000, got \(epochs)") }
        if let svg, svg.isEmpty { throw ValidationError("--svg needs a file name") }
        if zeroInit && (svg != nil || !pair.isEmpty) {
            throw ValidationError("--zero-init prints the symmetry table; it does not take --svg or --pair")
        }
        let pairCount: Int
        do { pairCount = try pairs().count } catch { throw ValidationError("--pair: \(error)") }
        // Every layer's activations of every pair are kept for the table and the figure.
        let kept = pairCount * layers * samples * units
        guard zeroInit || kept <= Self.maxKeptValues else {
            throw ValidationError("--layers x --units x --samples x pairs is \(kept) activations, more than \(Self.maxKeptValues) (lower --samples)")
        }
    }

    /// 60 million floats (240 MB): the activations kept at most.
    static let maxKeptValues = 60_000_000

    func pairs() throws -> [InitPair] { try pair.isEmpty ? InitPair.classic : pair.map(InitPair.init(parsing:)) }

    public func run() throws {
        BLAS.threadCount = 1
        try checkOutputFile(svg, flag: "--svg")
        if zeroInit {
            let results = try ["zeros", "he-normal"].map { try runSymmetry(initializer: $0, hidden: hidden, epochs: epochs, seed: seed) }
            print(renderSymmetry(results, hidden: hidden, epochs: epochs))
            return
        }
        let results = try runPairs(try pairs(), layers: layers, units: units, samples: samples, seed: seed)
        print("activations of \(layers) dense layers of \(units) units, \(samples) standard-normal inputs (seed \(seed)); sat = share within 0.02 of the activation's bounds")
        print(renderTable(results))
        if let svg {
            try drawFigure(results, layers: layers, units: units, samples: samples, bins: bins).write(to: svg)
            print("wrote \(svg)")
        }
    }
}
