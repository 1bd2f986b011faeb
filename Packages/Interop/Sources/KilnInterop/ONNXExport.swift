import KilnLayers
import KilnRegistry
import KilnTensor
import KilnTraining

/// Exports a Kiln model as an ONNX graph (opset 17, IR version 8) that ONNX runtimes run.
///
/// The graph takes `input`, float `[N] + inputShape` with the batch dimension symbolic
/// (`N`), and ends in the model's own last layer: **logits** named `logits` when the spec
/// ends in `dense` (Kiln's classifiers do; the trainer applies softmax inside its loss), or
/// `probabilities` with ``ONNXExport/Options/appendSoftmax`` (a `Softmax` node after the last
/// layer). Every built-in layer maps to standard operators:
///
/// | Kiln | ONNX |
/// | --- | --- |
/// | `dense` | `Gemm` (B = W `[in, out]`, C = bias, left out with `bias=false`); a `Flatten` first on CHW inputs |
/// | `conv` | `Conv` (W `[out, in, k, k]`, strides, symmetric pads) |
/// | `maxpool`, `avgpool` | `MaxPool`, `AveragePool` (no padding, floor) |
/// | `flatten` | `Flatten` (axis 1) |
/// | `global-avgpool` | `GlobalAveragePool`, then `Flatten` |
/// | `residual(BODY, shortcut=S)` | BODY's nodes and S's (or the block's input), then `Add` |
/// | `relu`, `sigmoid`, `tanh`, `softmax`, `leaky-relu`, `elu` | `Relu`, `Sigmoid`, `Tanh`, `Softmax` (axis 1), `LeakyRelu`, `Elu` |
/// | `batchnorm` | `BatchNormalization` in inference form (running mean and variance) |
/// | `layernorm` | `LayerNormalization` (axis 1: all features of an example) |
/// | `dropout` | nothing (the identity at inference) |
///
/// A layer of your own has no ONNX form: exporting a model with one is an error naming it.
public enum ONNXExport {
    /// How the graph ends and what it carries besides the weights.
    public struct Options: Sendable {
        /// Append a `Softmax`: the graph's output is then `probabilities`.
        public var appendSoftmax = false
        /// `metadata_props` of the model (Kiln adds `kiln.model` and `kiln.class_names`).
        public var metadata: [String: String] = [:]
        /// Options with or without a final `Softmax` (default without) and extra metadata.
        public init(appendSoftmax: Bool = false, metadata: [String: String] = [:]) {
            self.appendSoftmax = appendSoftmax
            self.metadata = metadata
        }
    }

    /// A model that has no ONNX form (a layer of your own, an unsupported input shape); one
    /// line naming the layer.
    public struct ExportError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The opset the graph declares.
    public static let opset = 17

    /// The ONNX file's bytes for `model`.
    public static func export(_ model: Sequential, classNames: [String], options: Options = Options()) throws -> [UInt8] {
        var graph = GraphBuilder()
        // The per-example shape entering each layer (a forward pass of one zero example).
        var shape = model.inputShape
        var probe = Tensor.zeros([1] + shape)
        let current = try emit(model.layers, prefix: "", input: "input", graph: &graph, shape: &shape, probe: &probe)
        let outputName = options.appendSoftmax ? "probabilities" : "logits"
        if options.appendSoftmax {
            guard shape.count == 1 else { throw ExportError(description: "the model's output \(shape) is not a vector of class scores") }
            graph.node("Softmax", [current], outputName, ints: [:], int: ["axis": 1])
        } else {
            graph.node("Identity", [current], outputName)
        }
        var metadata = options.metadata
        metadata["kiln.model"] = model.description
        metadata["kiln.class_names"] = "[" + classNames.map(jsonString).joined(separator: ",") + "]"

        let inputDims = model.inputShape, outputDims = shape
        var file = ProtoWriter()
        file.int(1, 8)                                            // ModelProto.ir_version
        file.string(2, "kiln")                                    // producer_name
        file.message(7) { g in                                    // graph
            for node in graph.nodes { g.data(1, node) }
            g.string(2, "kiln")
            for initializer in graph.initializers { g.data(5, initializer) }
            g.message(11) { ONNXExport.valueInfo(&$0, "input", dims: inputDims) }
            g.message(12) { ONNXExport.valueInfo(&$0, outputName, dims: outputDims) }
        }
        file.message(8) { o in o.string(1, ""); o.int(2, opset) }  // opset_import
        for key in metadata.keys.sorted() {                       // metadata_props
            file.message(14) { p in p.string(1, key); p.string(2, metadata[key]!) }
        }
        return file.bytes
    }

    /// ValueInfoProto of a float tensor `[N] + dims`, N symbolic.
    /// Adds the nodes of `layers` (named `PREFIXi.kind`, as their parameters are) reading
    /// `input`; returns the last output's name. `shape` and `probe` follow the data.
    private static func emit(_ layers: [any Layer], prefix: String, input: String, graph: inout GraphBuilder,
                             shape: inout [Int], probe: inout Tensor) throws -> String {
        var current = input
        for (i, layer) in layers.enumerated() {
            let spec: Spec
            do { spec = try Spec(parsing: layer.description) } catch {
                throw ExportError(description: "layer \(prefix)\(i) (\(layer.description)) has no parsable spec")
            }
            let name = "\(prefix)\(i).\(spec.name)"
            let tensors = Dictionary(uniqueKeysWithValues: (layer.parameters + layer.buffers).map {
                (String($0.name.dropFirst(name.count + 1)), $0.value)
            })
            func tensor(_ key: String) throws -> String {
                guard let t = tensors[key] else { throw ExportError(description: "layer \(name) has no '\(key)' tensor") }
                return graph.initializer("\(name).\(key)", t)
            }
            /// The bias input when the layer has one (`bias=false` leaves it out; it is optional in ONNX).
            func optionalBias() throws -> [String] { tensors["bias"] == nil ? [] : [try tensor("bias")] }
            func int(_ key: String, _ position: Int, default value: Int? = nil) throws -> Int {
                do { return try spec.int(key, at: position, default: value) } catch {
                    throw ExportError(description: "layer \(name) (\(layer.description)): \(error)")
                }
            }
            func float(_ key: String, _ position: Int, default value: Float) throws -> Float {
                do { return try spec.float(key, at: position, default: value) } catch {
                    throw ExportError(description: "layer \(name) (\(layer.description)): \(error)")
                }
            }
            let output = "\(name).out"
            switch spec.name {
            case "dense", "linear":
                var x = current
                if shape.count > 1 { x = graph.node("Flatten", [current], "\(name).flat", ints: [:], int: ["axis": 1]) }
                graph.node("Gemm", [x, try tensor("weight")] + (try optionalBias()), output, ints: [:], int: ["transB": 0])
            case "conv", "conv2d":
                let k = try int("kernel", 1), stride = try int("stride", 2, default: 1), pad = try int("padding", 3, default: 0)
                graph.node("Conv", [current, try tensor("weight")] + (try optionalBias()), output,
                           ints: ["kernel_shape": [k, k], "strides": [stride, stride], "pads": [pad, pad, pad, pad]], int: [:])
            case "maxpool", "max-pool", "maxpool2d", "avgpool", "avg-pool", "avgpool2d":
                let size = try int("size", 0), stride = try int("stride", 1, default: size)
                graph.node(spec.name.hasPrefix("max") ? "MaxPool" : "AveragePool", [current], output,
                           ints: ["kernel_shape": [size, size], "strides": [stride, stride]], int: [:])
            case "global-avgpool", "global-avg-pool", "gap":
                let pooled = graph.node("GlobalAveragePool", [current], "\(name).pooled")
                graph.node("Flatten", [pooled], output, ints: [:], int: ["axis": 1])
            case "residual":
                guard let block = layer as? Residual else { throw ExportError(description: "layer \(name) is not Kiln's residual block") }
                var bodyShape = shape, bodyProbe = probe
                let bodyOut = try emit(block.body.layers, prefix: "\(name).body.", input: current, graph: &graph,
                                       shape: &bodyShape, probe: &bodyProbe)
                var shortcutOut = current
                if let shortcut = block.shortcut {
                    var shortcutShape = shape, shortcutProbe = probe
                    shortcutOut = try emit(shortcut.layers, prefix: "\(name).shortcut.", input: current, graph: &graph,
                                           shape: &shortcutShape, probe: &shortcutProbe)
                }
                graph.node("Add", [bodyOut, shortcutOut], output)
            case "flatten":
                graph.node("Flatten", [current], output, ints: [:], int: ["axis": 1])
            case "relu": graph.node("Relu", [current], output)
            case "sigmoid": graph.node("Sigmoid", [current], output)
            case "tanh": graph.node("Tanh", [current], output)
            case "softmax":
                guard shape.count == 1 else { throw ExportError(description: "layer \(name): softmax of a \(shape) input has no ONNX form here") }
                graph.node("Softmax", [current], output, ints: [:], int: ["axis": 1])
            case "leaky-relu", "leakyrelu", "leaky_relu":
                graph.node("LeakyRelu", [current], output, float: ["alpha": try float("slope", 0, default: 0.01)])
            case "elu":
                graph.node("Elu", [current], output, float: ["alpha": try float("alpha", 0, default: 1)])
            case "dropout":
                probe = layer.forward(probe, training: false)
                continue
            case "batchnorm", "batch-norm", "bn":
                graph.node("BatchNormalization",
                           [current, try tensor("weight"), try tensor("bias"), try tensor("running_mean"), try tensor("running_var")],
                           output, float: ["epsilon": try float("eps", 1, default: 1e-5)])
            case "layernorm", "layer-norm":
                graph.node("LayerNormalization", [current, try tensor("weight"), try tensor("bias")], output,
                           ints: [:], int: ["axis": 1], float: ["epsilon": try float("eps", 0, default: 1e-5)])
            default:
                throw ExportError(description: "layer \(name) '\(spec.name)' has no ONNX form (only Kiln's built-in layers export)")
            }
            current = output
            probe = layer.forward(probe, training: false)
            shape = Array(probe.shape.dropFirst())
        }
        return current
    }

    static func valueInfo(_ w: inout ProtoWriter, _ name: String, dims: [Int]) {
        w.string(1, name)
        w.message(2) { type in                       // TypeProto
            type.message(1) { tensor in              // .tensor_type
                tensor.int(1, 1)                     // elem_type FLOAT
                tensor.message(2) { shape in         // TensorShapeProto
                    shape.message(1) { $0.string(2, "N") }
                    for d in dims { shape.message(1) { $0.int(1, d) } }
                }
            }
        }
    }
}

/// The graph under construction: nodes and initializers as encoded messages.
struct GraphBuilder {
    var nodes: [[UInt8]] = []
    var initializers: [[UInt8]] = []

    /// Adds a float initializer (TensorProto with raw little-endian data); returns its name.
    mutating func initializer(_ name: String, _ t: Tensor) -> String {
        var w = ProtoWriter()
        for d in t.shape { w.int(1, d) }              // dims
        w.int(2, 1)                                   // data_type FLOAT
        w.string(8, name)                             // name
        var raw = [UInt8]()
        raw.reserveCapacity(t.count * 4)
        t.withUnsafeBufferPointer { raw.append(contentsOf: UnsafeRawBufferPointer($0)) }
        w.data(9, raw)                                // raw_data
        initializers.append(w.bytes)
        return name
    }

    /// Adds a node; returns its output's name.
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], _ output: String,
                       ints: [String: [Int]] = [:], int: [String: Int] = [:], float: [String: Float] = [:]) -> String {
        var w = ProtoWriter()
        for i in inputs { w.string(1, i) }
        w.string(2, output)
        w.string(3, output + ".node")
        w.string(4, op)
        for (key, values) in ints.sorted(by: { $0.key < $1.key }) {
            w.message(5) { a in a.string(1, key); a.int(20, 7); for v in values { a.int(8, v) } }      // INTS
        }
        for (key, value) in int.sorted(by: { $0.key < $1.key }) {
            w.message(5) { a in a.string(1, key); a.int(20, 2); a.int(3, value) }                      // INT
        }
        for (key, value) in float.sorted(by: { $0.key < $1.key }) {
            w.message(5) { a in a.string(1, key); a.int(20, 1); a.float(2, value) }                    // FLOAT
        }
        nodes.append(w.bytes)
        return output
    }
}
