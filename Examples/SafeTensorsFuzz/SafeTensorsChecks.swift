import KilnEnsemble
import KilnLayers
import KilnTensor
import KilnTraining

/// The invariants of a read safetensors file (a violation stops the fuzzer: a finding).
func checkSafeTensorsBytes(_ bytes: [UInt8]) {
    guard let file = try? SafeTensors(bytes: bytes) else { return }
    // Compared as bytes: a NaN tensor is bit-identical but not == (the fuzzer's first finding).
    let encoded = file.encoded()
    let again = try? SafeTensors(bytes: encoded)
    precondition(again?.encoded() == encoded, "encode then read changed the file")
    // Building the model the metadata names allocates its weights before the tensors are
    // compared; LayerLimits bounds each tensor (spec-fuzz tests that). Here only models
    // small enough for the fuzzer's memory limit are built.
    guard let spec = file.metadata["kiln.model"], let shape = file.metadata["kiln.input_shape"],
          spec.count < 512, shape.split(separator: ",").compactMap({ Int($0) }).reduce(1, { $0 &* max($1, 1) }) <= 4096,
          !containsLargeNumber(spec) else { return }
    if let loaded = try? Sequential.load(file) {
        precondition(loaded.classNames.count == loaded.model.outputShape.reduce(1, *), "class names do not match the outputs")
        precondition(loaded.model.parameters.allSatisfy { p in
            file.tensors["model/" + p.name]?.scalars.map(\.bitPattern) == p.value.scalars.map(\.bitPattern)
        }, "a loaded tensor differs from the file's")
    }
}

/// Whether `text` holds a number over 1,024 (a layer too large for the fuzzer's memory).
func containsLargeNumber(_ text: String) -> Bool {
    var digits = 0
    for c in text.utf8 {
        if c >= 0x30 && c <= 0x39 { digits += 1; if digits > 4 { return true } } else { digits = 0 }
    }
    return text.split(whereSeparator: { !$0.isNumber }).contains { (Int($0) ?? 0) > 1024 }
}

/// An ensemble manifest must be refused with an error or accepted; nothing else.
func checkManifestBytes(_ bytes: [UInt8]) {
    _ = try? Ensemble.checkManifest(bytes)
}
