import Foundation
import KilnLayers
import KilnRegistry
import KilnTensor

/// A model read back from a file by ``KilnLayers/Sequential/load(contentsOf:registry:)``.
public struct LoadedModel {
    /// The rebuilt model, with the saved weights and buffers.
    public let model: Sequential
    /// The class of each output, in order.
    public let classNames: [String]
    /// Every metadata string of the file (`kiln.model`, `kiln.input_shape`, your own keys).
    public let metadata: [String: String]
}

/// A model file that cannot be loaded: the file, the field, what is wrong.
public struct ModelFileError: Error, CustomStringConvertible, Sendable {
    /// The file, when known.
    public var path: String?
    /// The metadata key or tensor at fault (`kiln.model`, `model/0.dense.weight`).
    public var field: String
    /// What is wrong.
    public var message: String
    public var description: String { (path.map { "\($0): " } ?? "") + "\(field): \(message)" }
}

/// Saving and loading a model on its own: one safetensors file with the weights and
/// buffers (`model/<name>`, BatchNorm's running statistics included) and the metadata that
/// rebuilds it: `kiln.format` ("1"), `kiln.model` (the spec), `kiln.input_shape`
/// ("1,28,28"), `kiln.class_names` (a JSON array), plus any keys of your own. Checkpoints
/// (``Trainer/checkpoint(inputShape:classNames:)``) are this file plus the training state.
///
/// ```swift
/// try model.save(to: "model.safetensors", classNames: data.classNames)
/// let loaded = try Sequential.load(contentsOf: "model.safetensors")
/// let p = Trainer.predictProbabilities(model: loaded.model, inputs: images)   // [n, classes]
/// ```
extension Sequential {
    /// The model as a safetensors document (see above); `metadata` adds keys of your own
    /// (the `kiln.` keys above are always the model's).
    public func modelFile(classNames: [String], metadata: [String: String] = [:]) -> SafeTensors {
        var file = SafeTensors()
        for p in parameters + buffers { file.tensors["model/" + p.name] = p.value }
        file.metadata = metadata
        file.metadata["kiln.format"] = "1"
        file.metadata["kiln.model"] = description
        file.metadata["kiln.input_shape"] = inputShape.map(String.init).joined(separator: ",")
        file.metadata["kiln.class_names"] = "[" + classNames.map(jsonString).joined(separator: ",") + "]"
        return file
    }

    /// Writes ``modelFile(classNames:metadata:)`` to `path` atomically (a temporary file,
    /// `fsync`, `rename`): a reader sees the old file or the new one, never a mixture.
    public func save(to path: String, classNames: [String], metadata: [String: String] = [:]) throws {
        try modelFile(classNames: classNames, metadata: metadata).write(to: path)
    }

    /// Reads a model file written by ``save(to:classNames:metadata:)`` (or `--save`, or a
    /// checkpoint) and rebuilds the model through `registry`. Every field is checked: a
    /// missing or malformed one, a spec that does not build, a missing, extra or mis-shaped
    /// tensor, class names that do not match the outputs: a ``ModelFileError`` naming the
    /// file and the field.
    public static func load(contentsOf path: String, registry: Registry<any Layer> = KilnLayers.layers) throws -> LoadedModel {
        let file: SafeTensors
        do { file = try SafeTensors(contentsOf: path) } catch { throw ModelFileError(path: path, field: "file", message: "\(error)") }
        return try load(file, registry: registry, path: path)
    }

    /// ``load(contentsOf:registry:)`` of a document already read.
    public static func load(_ file: SafeTensors, registry: Registry<any Layer> = KilnLayers.layers, path: String? = nil) throws -> LoadedModel {
        func fail(_ field: String, _ message: String) -> ModelFileError { ModelFileError(path: path, field: field, message: message) }
        guard let spec = file.metadata["kiln.model"] else {
            throw fail("kiln.model", "missing: not a Kiln model file (no kiln.model metadata)")
        }
        if let format = file.metadata["kiln.format"], format != "1" {
            throw fail("kiln.format", "is '\(format)'; this Kiln reads format 1")
        }
        guard let shapeText = file.metadata["kiln.input_shape"] else { throw fail("kiln.input_shape", "missing") }
        let inputShape = try parseInputShape(shapeText, fail: { fail("kiln.input_shape", $0) })
        var rng = RandomGenerator(seed: 0)
        let model: Sequential
        do { model = try build(spec: spec, registry: registry, inputShape: inputShape, rng: &rng) } catch {
            throw fail("kiln.model", "the spec \"\(spec)\" does not build for input \(inputShape): \(error)")
        }
        let expected = Set((model.parameters + model.buffers).map { "model/" + $0.name })
        if let extra = (Array(file.tensors.keys) + Array(file.otherTensors.keys)).filter({ $0.hasPrefix("model/") && !expected.contains($0) }).sorted().first {
            throw fail(extra, "is not a parameter or buffer of \"\(spec)\"")
        }
        do { try Trainer.loadModel(model, from: file) } catch { throw fail("model tensors", "\(error)") }
        guard let namesText = file.metadata["kiln.class_names"] else { throw fail("kiln.class_names", "missing") }
        let classNames: [String]
        do { classNames = try JSONDecoder().decode([String].self, from: Data(namesText.utf8)) } catch {
            throw fail("kiln.class_names", "not a JSON array of strings")
        }
        let outputs = model.outputShape.reduce(1, *)
        guard classNames.count == outputs else {
            throw fail("kiln.class_names", "\(classNames.count) names for a model with \(outputs) outputs")
        }
        return LoadedModel(model: model, classNames: classNames, metadata: file.metadata)
    }

    /// `"1,28,28"` → `[1, 28, 28]`: 1 to 4 positive extents, at most 2²⁸ values per example.
    static func parseInputShape(_ text: String, fail: (String) -> ModelFileError) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        let shape = parts.compactMap { Int($0) }
        guard !parts.isEmpty, parts.count <= 4, shape.count == parts.count, shape.allSatisfy({ (1...(1 << 24)).contains($0) }) else {
            throw fail("'\(text)' is not 1 to 4 positive integers separated by commas")
        }
        let (count, overflow) = shape.reduce((1, false)) { acc, x in
            let (p, o) = acc.0.multipliedReportingOverflow(by: x)
            return (p, acc.1 || o)
        }
        guard !overflow, count <= 1 << 28 else { throw fail("'\(text)' has more than 2^28 values per example") }
        return shape
    }
}
