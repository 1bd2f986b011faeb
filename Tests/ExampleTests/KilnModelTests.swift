import Foundation
import Testing

/// The `kiln-model` contract: subcommands, one-line errors with exit 64 (usage) or 1
/// (bad files); the interop checks against numpy, safetensors, onnx and onnxruntime are in
/// scripts/test-interop.sh.
@Suite(.serialized) struct KilnModelTests {
    @Test(arguments: [
        ["summary"], ["predict", "m.safetensors", "--data", "fashion-mnist"], ["predict", "m.safetensors", "--data", "nowhere:x", "--out", "a.csv"],
        ["predict", "m.safetensors", "--data", "fashion-mnist", "--out", "a.csv", "--split", "dev"],
        ["export-onnx", "m.safetensors"], ["import-torch", "s.safetensors", "--model", "dense(10)", "--input-shape", "0x3", "--out", "m"],
        ["import-torch", "s.safetensors", "--model", "dense(10", "--input-shape", "784", "--out", "m"], ["no-such-command"],
    ])
    func usageErrorsExit64(arguments: [String]) throws {
        let result = try ExampleRunner.run("kiln-model", arguments, timeout: 30)
        #expect(result.status == 64, "\(arguments): status \(result.status), stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("kiln-model: error: "), "\(result.stderr)")
    }

    @Test func badFilesAreOneLineErrors() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: dir + "/garbage.safetensors"))
        for arguments in [["summary", dir + "/garbage.safetensors"], ["summary", dir + "/none.safetensors"],
                          ["export-onnx", dir + "/garbage.safetensors", dir + "/out.onnx"],
                          ["export-torch", dir + "/none.safetensors", dir + "/out.safetensors"]] {
            let result = try ExampleRunner.run("kiln-model", arguments, timeout: 30)
            #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out.onnx") && !FileManager.default.fileExists(atPath: dir + "/out.safetensors"))
        }
    }

    @Test func summaryPredictAndExportOfATrainedModel() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let model = dir + "/m.safetensors"
        let trained = try ExampleRunner.run("mnist-classifier", ["--limit", "1500", "--epochs", "1", "--model", "dense(16)|relu|dense(10)", "--save", model], timeout: 120)
        #expect(trained.status == 0, "\(trained.stderr)")
        let summary = try ExampleRunner.run("kiln-model", ["summary", model], timeout: 30)
        #expect(summary.status == 0 && summary.stdout.contains("12730") && summary.stdout.contains("T-shirt/top"), "\(summary.stdout)")
        let predicted = try ExampleRunner.run("kiln-model", ["predict", model, "--data", "fashion-mnist", "--out", dir + "/p.csv"], timeout: 60)
        #expect(predicted.status == 0, "\(predicted.stderr)")
        let lines = try String(contentsOfFile: dir + "/p.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10_001 && lines[0] == "index,label,predicted,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9")
        let row = lines[1].split(separator: ",", omittingEmptySubsequences: false)
        let p = row[3...].compactMap { Double($0) }
        #expect(p.count == 10 && abs(p.reduce(0, +) - 1) < 1e-5 && Int(row[2]) == p.indices.max { p[$0] < p[$1] }!)
        let onnx = try ExampleRunner.run("kiln-model", ["export-onnx", model, dir + "/m.onnx"], timeout: 30)
        #expect(onnx.status == 0 && FileManager.default.fileExists(atPath: dir + "/m.onnx"), "\(onnx.stderr)")
        let torch = try ExampleRunner.run("kiln-model", ["export-torch", model, dir + "/t.safetensors"], timeout: 30)
        #expect(torch.status == 0 && torch.stdout.contains("nn.Linear(784, 16)"), "\(torch.stdout)")
    }
}
