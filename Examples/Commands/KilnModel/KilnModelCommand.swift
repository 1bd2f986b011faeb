import ArgumentParser
import Foundation
import KilnAugmentation
import KilnData
import KilnExampleSupport
import KilnFiles
import KilnInterop
import KilnLayers
import KilnRegistry
import KilnTensor
import KilnTraining

/// `kiln-model`: a saved model on its own: what it is, what it predicts, and the model in
/// and out of Kiln (ONNX, PyTorch).
public struct KilnModelCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "kiln-model",
        abstract: "Inspect a Kiln model file, write its predictions, export it to ONNX, or move it to and from PyTorch.",
        subcommands: [Summary.self, Predict.self, ExportONNX.self, ImportTorch.self, ExportTorch.self])

    public static func main() { CommandMain.run(KilnModelCommand.self) }
}

/// Loads a model file, with the error contract's one line.
func loadModel(_ path: String) throws -> LoadedModel {
    do { return try Sequential.load(contentsOf: path) } catch { throw ExampleError("\(error)") }
}

/// `1x28x28`.
func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Layers, output shapes, parameter counts and metadata of a model file.")

    @Argument(help: ArgumentHelp("A model file (--save, kiln-model import-torch) or a checkpoint.", valueName: "model"))
    var model: String

    func run() throws {
        let loaded = try loadModel(model)
        let m = loaded.model
        print("model: \(m.description)")
        print("input: \(shapeText(m.inputShape)); \(loaded.classNames.count) classes: \(loaded.classNames.joined(separator: ", "))")
        print("")
        var rows: [[String]] = [["#", "layer", "output", "parameters"]]
        var probe = Tensor.zeros([1] + m.inputShape)
        var total = 0
        for (i, layer) in m.layers.enumerated() {
            probe = layer.forward(probe, training: false)
            let count = layer.parameters.reduce(0) { $0 + $1.value.count }
            total += count
            rows.append(["\(i)", layer.description, shapeText(Array(probe.shape.dropFirst())), "\(count)"])
        }
        let widths = (0..<4).map { c in rows.map { $0[c].count }.max()! }
        for row in rows {
            let padded = row.enumerated().map { c, text in c == row.count - 1 ? text : text + String(repeating: " ", count: widths[c] - text.count) }
            print(padded.joined(separator: "  "))
        }
        print("")
        print("parameters: \(total) (\(m.buffers.reduce(0) { $0 + $1.value.count }) more in buffers)")
        for key in loaded.metadata.keys.sorted() where !["kiln.model", "kiln.class_names", "kiln.history"].contains(key) {
            let value = loaded.metadata[key]!
            print("\(key): \(value.count > 200 ? String(value.prefix(200)) + "…" : value)")
        }
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write each image's label, prediction and class probabilities to a CSV file.",
        discussion: "The CSV header is index,label,predicted,p0,...,p{K-1}; label is empty when unknown (one PNG file). Probabilities are the softmax of the model's outputs.")

    @Argument(help: ArgumentHelp("The model file.", valueName: "model"))
    var model: String

    @Option(help: ArgumentHelp("fashion-mnist, idx:DIR, png:DIR (as mnist-classifier), or one PNG file.", valueName: "source"))
    var data: String

    @Option(help: ArgumentHelp("The split to predict: test or train (all training images).", valueName: "split"))
    var split: String = "test"

    @Option(help: ArgumentHelp("The CSV file to write (atomically).", valueName: "file"))
    var out: String

    @Option(help: threadsHelp)
    var threads: Int = Parallel.availableCores

    func validate() throws {
        guard ["test", "train"].contains(split) else { throw ValidationError("--split must be test or train, got '\(split)'") }
        if !data.hasSuffix(".png") { _ = try DataSource(parsing: data) }
        try validateThreads(threads)
        guard !out.isEmpty else { throw ValidationError("--out needs a file name") }
    }

    func run() throws {
        try checkOutputFile(out, flag: "--out")
        let loaded = try loadModel(model)
        let m = loaded.model
        let inputs: Tensor
        let labels: [Int]?
        if data.hasSuffix(".png") {
            inputs = try pngInput(data, shape: m.inputShape)
            labels = nil
        } else {
            let options = try TrainingOptions.parse(["--data", data, "--dev-size", "0"])
            let loadedData = try ClassificationData.load(options, inputShape: m.inputShape, testOnly: split == "test")
            let set = split == "test" ? loadedData.test : loadedData.train
            guard set.classNames.count == loaded.classNames.count else {
                throw ExampleError("\(model) classifies \(loaded.classNames.count) classes, the data has \(set.classNames.count)")
            }
            inputs = set.inputs
            labels = set.labels
        }
        BLAS.threadCount = 1
        let p = Trainer.predictProbabilities(model: m, inputs: inputs, batchSize: m.inputShape.count == 3 ? 250 : 1000, threads: threads)
        let k = loaded.classNames.count
        let predicted = p.argmaxIndices()
        var text = "index,label,predicted," + (0..<k).map { "p\($0)" }.joined(separator: ",") + "\n"
        p.withUnsafeBufferPointer { probs in
            for i in 0..<predicted.count {
                text += "\(i),\(labels.map { String($0[i]) } ?? ""),\(predicted[i])"
                for c in 0..<k { text += ",\(probs[i * k + c])" }
                text += "\n"
            }
        }
        try AtomicFile.write(text, to: out)
        var line = "wrote \(predicted.count) predictions to \(out)"
        if let labels {
            let correct = zip(predicted, labels).filter { $0 == $1 }.count
            line += " (accuracy \(formatFixed(Double(correct) / Double(max(1, labels.count)), 4)) on the \(split) split)"
        }
        print(line)
    }

    /// One PNG as a batch of one, in the model's layout: gray or RGB as the model's
    /// channels, the same size (no resizing: a different size is an error naming both).
    func pngInput(_ path: String, shape: [Int]) throws -> Tensor {
        let channels = shape.count == 3 ? shape[0] : 1
        let image: Image
        do { image = try PNG.decode(contentsOf: path, channels: channels == 3 ? 3 : 1) } catch { throw ExampleError("\(error)") }
        let tensor = image.tensor()   // [C, H, W] in [0, 1]
        if shape.count == 3 {
            guard tensor.shape == shape else {
                throw ExampleError("\(path) is \(image.width)x\(image.height) with \(channels) channel(s); the model takes \(shape[2])x\(shape[1])")
            }
            return tensor.reshaped([1] + shape)
        }
        guard tensor.count == shape.reduce(1, *) else {
            throw ExampleError("\(path) is \(image.width)x\(image.height) (\(tensor.count) values); the model takes \(shape.reduce(1, *)) values")
        }
        return tensor.reshaped([1] + shape)
    }
}

struct ExportONNX: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-onnx",
        abstract: "Write the model as an ONNX graph (opset 17, batch dimension symbolic).",
        discussion: "The graph's input is 'input' [N, ...input shape]; its output is 'logits' (the model's last layer), or 'probabilities' with --softmax. Dropout is left out (the identity at inference); BatchNorm uses its running statistics.")

    @Argument(help: ArgumentHelp("The model file.", valueName: "model"))
    var model: String

    @Argument(help: ArgumentHelp("The ONNX file to write (atomically).", valueName: "out.onnx"))
    var output: String

    @Flag(help: "End the graph with a Softmax: the output is 'probabilities'.")
    var softmax = false

    func run() throws {
        try checkOutputFile(output, flag: "OUT.onnx")
        let loaded = try loadModel(model)
        let bytes: [UInt8]
        do {
            bytes = try ONNXExport.export(loaded.model, classNames: loaded.classNames, options: .init(appendSoftmax: softmax))
        } catch { throw ExampleError("\(model): \(error)") }
        try AtomicFile.write(bytes, to: output)
        print("wrote \(output): \(loaded.model.layers.count) layers, opset \(ONNXExport.opset), output '\(softmax ? "probabilities" : "logits")'")
    }
}

struct ImportTorch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-torch",
        abstract: "Make a Kiln model file from a PyTorch nn.Sequential state_dict saved with safetensors.",
        discussion: "The PyTorch modules must mirror --model one to one (module index = position in the spec); Linear weights are transposed, BatchNorm's running statistics taken, num_batches_tracked ignored. Missing, extra or mis-shaped tensors are errors naming the key.")

    @Argument(help: ArgumentHelp("The state_dict (safetensors).", valueName: "state.safetensors"))
    var state: String

    @Option(help: ArgumentHelp("The Kiln spec the PyTorch model mirrors.", valueName: "spec"))
    var model: String

    @Option(name: .customLong("input-shape"), help: ArgumentHelp("The per-example input shape, e.g. 784 or 1x28x28.", valueName: "shape"))
    var inputShape: String

    @Option(name: .customLong("class-names"), help: ArgumentHelp("Comma-separated class names (default: 0, 1, ...).", valueName: "names"))
    var classNames: String?

    @Option(help: ArgumentHelp("The Kiln model file to write.", valueName: "model.safetensors"))
    var out: String

    func parsedShape() throws -> [Int] {
        let parts = inputShape.split(whereSeparator: { $0 == "x" || $0 == "," }).map { Int($0) }
        guard !parts.isEmpty, parts.count <= 3, parts.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1 << 16 }) else {
            throw ValidationError("--input-shape must be 1 to 3 positive sizes such as 784 or 1x28x28, got '\(inputShape)'")
        }
        return parts.map { $0! }
    }

    func validate() throws {
        _ = try parsedShape()
        do { _ = try Spec.parsePipeline(model).map { try layers.make($0) } } catch { throw usageError("--model", error) }
        if let classNames, classNames.split(separator: ",", omittingEmptySubsequences: false).contains(where: { $0.isEmpty }) {
            throw ValidationError("--class-names: empty name in '\(classNames)'")
        }
    }

    func run() throws {
        try checkOutputFile(out, flag: "--out")
        let file: SafeTensors
        do { file = try SafeTensors(contentsOf: state) } catch { throw ExampleError("\(error)") }
        var rng = RandomGenerator(seed: 0)
        let m: Sequential
        do { m = try Sequential.build(spec: model, inputShape: try parsedShape(), rng: &rng) } catch {
            throw ExampleError("--model \"\(model)\" does not build for input \(inputShape): \(error)")
        }
        do { try TorchStateDict.load(file, into: m) } catch { throw ExampleError("\(state): \(error)") }
        let outputs = m.outputShape.reduce(1, *)
        let names = classNames.map { $0.split(separator: ",").map(String.init) } ?? (0..<outputs).map(String.init)
        guard names.count == outputs else {
            throw ExampleError("--class-names: \(names.count) names for a model with \(outputs) outputs")
        }
        try m.save(to: out, classNames: names, metadata: ["kiln.imported_from": URL(fileURLWithPath: state).lastPathComponent])
        print("wrote \(out): \(m.description), \(m.parameters.reduce(0) { $0 + $1.value.count }) parameters from \(state)")
    }
}

struct ExportTorch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-torch",
        abstract: "Write the model as a PyTorch nn.Sequential state_dict (safetensors) and print the nn.Sequential code.")

    @Argument(help: ArgumentHelp("The model file.", valueName: "model"))
    var model: String

    @Argument(help: ArgumentHelp("The state_dict file to write (atomically).", valueName: "out.safetensors"))
    var output: String

    @Option(help: ArgumentHelp("Write the Python code to FILE instead of standard output.", valueName: "file"))
    var code: String?

    func run() throws {
        try checkOutputFile(output, flag: "OUT.safetensors")
        try checkOutputFile(code, flag: "--code")
        let loaded = try loadModel(model)
        let state: SafeTensors, source: String
        do {
            state = try TorchStateDict.export(loaded.model)
            source = try TorchStateDict.pythonSource(loaded.model).replacingOccurrences(of: "STATE.safetensors", with: output)
        } catch { throw ExampleError("\(model): \(error)") }
        try state.write(to: output)
        if let code { try AtomicFile.write(source, to: code); print("wrote \(output) and \(code)") } else { print(source, terminator: "") }
    }
}
