import KilnData

/// The invariants of a parsed IDX file (a violation stops the fuzzer: a finding).
func checkIDXBytes(_ bytes: [UInt8]) {
    let limit = 16 << 20
    guard let file = try? IDXFile.parse(bytes: bytes, name: "fuzz-input", maximumDataSize: limit) else { return }
    let count = file.dimensions.reduce(1, *)
    precondition(file.data.count == count, "data of \(file.data.count) bytes for dimensions \(file.dimensions)")
    let again = try? IDXFile.parse(bytes: file.encoded(), name: "re-encoded", maximumDataSize: limit)
    precondition(again?.dimensions == file.dimensions && again?.data == file.data, "encode then parse changed the file")
    if file.rank == 1, let labels = try? file.labels() {
        precondition(labels.count == count, "\(labels.count) labels for \(count) values")
    }
    if file.rank >= 2 {
        let tensor = file.tensor(dividingBy: 255)
        precondition(tensor.count == count, "a tensor of \(tensor.count) values for \(count) bytes")
    }
}
