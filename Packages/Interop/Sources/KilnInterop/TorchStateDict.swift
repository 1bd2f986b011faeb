import KilnLayers
import KilnRegistry
import KilnTensor
import KilnTraining

/// PyTorch's `nn.Sequential` `state_dict`, as a safetensors file, to and from a Kiln model
/// whose spec the PyTorch modules mirror one to one (module index = position in the spec).
///
/// Key mapping for the layer at position i (Kiln's tensor `i.<layer>.<name>`):
///
/// | Kiln layer | PyTorch module | keys | layout |
/// | --- | --- | --- | --- |
/// | `dense(units)` | `nn.Linear(in, units)` | `i.weight`, `i.bias` | Kiln W `[in, out]` is PyTorch's `[out, in]` transposed |
/// | `conv(f, kernel, stride, padding)` | `nn.Conv2d(c, f, kernel, stride, padding)` | `i.weight`, `i.bias` | the same `[out, in, k, k]` |
/// | `batchnorm` | `nn.BatchNorm1d` / `nn.BatchNorm2d` | `i.weight`, `i.bias`, `i.running_mean`, `i.running_var` (`i.num_batches_tracked` ignored on import, written as 0 on export) | the same |
/// | `layernorm` | `nn.LayerNorm(inputShape)` | `i.weight`, `i.bias` | the same |
/// | activations, pooling, `flatten`, `dropout`, `softmax` | `nn.ReLU`, `nn.MaxPool2d`, `nn.Flatten`, `nn.Dropout`, `nn.Softmax(dim=1)`, … | none | |
///
/// A `dense` layer on a CHW input flattens it itself in Kiln; PyTorch needs an explicit
/// `nn.Flatten` module, so write `flatten` before such a `dense` in the spec.
public enum TorchStateDict {
    /// A model or state_dict that does not map onto the other side (a layer with no PyTorch
    /// module here, a missing, extra or mis-shaped tensor); the description is one line.
    public struct MappingError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The PyTorch key of Kiln tensor `name` of layer `index` (`3.dense.weight` → `3.weight`).
    static func torchKey(_ name: String, layerIndex: Int, layerName: String) -> String {
        "\(layerIndex)." + name.dropFirst("\(layerIndex).\(layerName).".count)
    }

    /// The layers and their spec names, checking that each has a PyTorch module.
    static func layerNames(_ model: Sequential) throws -> [String] {
        var shape = model.inputShape
        var probe = Tensor.zeros([1] + shape)
        var names: [String] = []
        for (i, layer) in model.layers.enumerated() {
            guard let spec = try? Spec(parsing: layer.description) else {
                throw MappingError(description: "layer \(i) (\(layer.description)) has no parsable spec")
            }
            let known = ["dense", "linear", "conv", "conv2d", "maxpool", "max-pool", "maxpool2d", "avgpool", "avg-pool", "avgpool2d",
                         "flatten", "relu", "sigmoid", "tanh", "softmax", "leaky-relu", "leakyrelu", "leaky_relu", "elu", "dropout",
                         "batchnorm", "batch-norm", "bn", "layernorm", "layer-norm"]
            guard known.contains(spec.name) else { throw MappingError(description: "layer \(i) '\(spec.name)' has no PyTorch module here") }
            if ["dense", "linear"].contains(spec.name) && shape.count > 1 {
                throw MappingError(description: "layer \(i) (\(spec.name)) takes a \(shape) input, which PyTorch's nn.Linear does not flatten: put flatten before it in the spec")
            }
            names.append(spec.name)
            probe = layer.forward(probe, training: false)
            shape = Array(probe.shape.dropFirst())
        }
        return names
    }

    /// The state_dict of `model` with PyTorch's keys and layouts.
    public static func export(_ model: Sequential) throws -> SafeTensors {
        var file = SafeTensors()
        file.metadata["format"] = "pt"
        for (i, (layer, name)) in zip(model.layers, try layerNames(model)).enumerated() {
            for p in layer.parameters + layer.buffers {
                let key = torchKey(p.name, layerIndex: i, layerName: name)
                file.tensors[key] = (name == "dense" || name == "linear") && key.hasSuffix(".weight") ? transposed(p.value) : p.value
            }
            if ["batchnorm", "batch-norm", "bn"].contains(name) {
                file.otherTensors["\(i).num_batches_tracked"] = .init(dtype: "I64", shape: [], bytes: [UInt8](repeating: 0, count: 8))
            }
        }
        return file
    }

    /// Loads a state_dict into `model` (built from the mirroring spec). Missing, extra,
    /// mis-shaped or non-float tensors are errors naming the key.
    public static func load(_ state: SafeTensors, into model: Sequential) throws {
        var expected = Set<String>()
        for (i, (layer, name)) in zip(model.layers, try layerNames(model)).enumerated() {
            for p in layer.parameters + layer.buffers {
                let key = torchKey(p.name, layerIndex: i, layerName: name)
                expected.insert(key)
                if let other = state.otherTensors[key] { throw MappingError(description: "\(key): dtype \(other.dtype), expected F32") }
                guard var t = state.tensors[key] else {
                    throw MappingError(description: "\(key): missing (the \(name) layer at position \(i) needs it)")
                }
                if (name == "dense" || name == "linear") && key.hasSuffix(".weight") {
                    guard t.shape.count == 2 else { throw MappingError(description: "\(key): shape \(t.shape), expected [\(p.shape.reversed().map(String.init).joined(separator: ", "))]") }
                    t = transposed(t)
                }
                guard t.shape == p.shape else {
                    let want = (name == "dense" || name == "linear") && key.hasSuffix(".weight") ? Array(p.shape.reversed()) : p.shape
                    throw MappingError(description: "\(key): shape \((name == "dense" || name == "linear") && key.hasSuffix(".weight") ? Array(t.shape.reversed()) : t.shape), expected \(want)")
                }
                p.value = t
            }
        }
        let ignored = { (key: String) in key.hasSuffix(".num_batches_tracked") }
        if let extra = (Array(state.tensors.keys) + Array(state.otherTensors.keys)).filter({ !expected.contains($0) && !ignored($0) }).sorted().first {
            throw MappingError(description: "\(extra): not a tensor of the spec's modules (does the PyTorch model mirror the spec one to one?)")
        }
    }

    /// The `nn.Sequential` that mirrors `model`, as Python source.
    public static func pythonSource(_ model: Sequential) throws -> String {
        var shape = model.inputShape
        var probe = Tensor.zeros([1] + shape)
        var modules: [String] = []
        for (i, (layer, name)) in zip(model.layers, try layerNames(model)).enumerated() {
            let spec = try Spec(parsing: layer.description)
            func num(_ key: String, _ at: Int, _ d: Double) -> String { Spec.format((try? spec.double(key, at: at, default: d)) ?? d) }
            func int(_ key: String, _ at: Int, _ d: Int?) -> Int { (try? spec.int(key, at: at, default: d)) ?? d ?? 0 }
            let inputs = shape.first ?? 0
            probe = layer.forward(probe, training: false)
            let out = Array(probe.shape.dropFirst())
            switch name {
            case "dense", "linear": modules.append("nn.Linear(\(shape.reduce(1, *)), \(out[0]))")
            case "conv", "conv2d":
                modules.append("nn.Conv2d(\(inputs), \(out[0]), kernel_size=\(int("kernel", 1, nil)), stride=\(int("stride", 2, 1)), padding=\(int("padding", 3, 0)))")
            case "maxpool", "max-pool", "maxpool2d":
                let size = int("size", 0, nil)
                modules.append("nn.MaxPool2d(\(size), stride=\(int("stride", 1, size)))")
            case "avgpool", "avg-pool", "avgpool2d":
                let size = int("size", 0, nil)
                modules.append("nn.AvgPool2d(\(size), stride=\(int("stride", 1, size)))")
            case "flatten": modules.append("nn.Flatten()")
            case "relu": modules.append("nn.ReLU()")
            case "sigmoid": modules.append("nn.Sigmoid()")
            case "tanh": modules.append("nn.Tanh()")
            case "softmax": modules.append("nn.Softmax(dim=1)")
            case "leaky-relu", "leakyrelu", "leaky_relu": modules.append("nn.LeakyReLU(negative_slope=\(num("slope", 0, 0.01)))")
            case "elu": modules.append("nn.ELU(alpha=\(num("alpha", 0, 1)))")
            case "dropout": modules.append("nn.Dropout(p=\(num("rate", 0, 0)))")
            case "batchnorm", "batch-norm", "bn":
                modules.append("nn.BatchNorm\(shape.count == 1 ? 1 : 2)d(\(inputs), eps=\(num("eps", 1, 1e-5)), momentum=\(num("momentum", 0, 0.1)))")
            case "layernorm", "layer-norm": modules.append("nn.LayerNorm(\(shape), eps=\(num("eps", 0, 1e-5)))")
            default: break
            }
            _ = i
            shape = out
        }
        return """
        # Kiln model \(model.description)
        # input: a float tensor [N, \(model.inputShape.map(String.init).joined(separator: ", "))]; output: logits
        import torch
        from torch import nn
        from safetensors.torch import load_file

        model = nn.Sequential(
        \(modules.map { "    " + $0 + "," }.joined(separator: "\n"))
        )
        model.load_state_dict(load_file("STATE.safetensors"))
        model.eval()

        """
    }

    static func transposed(_ t: Tensor) -> Tensor {
        precondition(t.shape.count == 2, "transposed: a matrix is needed")
        let (r, c) = (t.shape[0], t.shape[1])
        var out = Tensor.zeros([c, r])
        t.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<r { for j in 0..<c { dst[j * r + i] = src[i * c + j] } }
            }
        }
        return out
    }
}
