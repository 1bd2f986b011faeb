import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The `mnist-classifier` contract: usage errors exit 64 with one line on stderr, runtime
/// errors exit 1, a small real run prints JSON with the documented keys.
@Suite(.serialized) struct MNISTClassifierTests {
    @Test(arguments: [
        ["--epochs", "0"],
        ["--batch-size", "0"],
        ["--threads", "0"],
        ["--threads", "-2"],
        ["--threads", "100000"],
        ["--shards", "0"],
        ["--dev-size", "-1"],
        ["--model", "dense(256)|reluu|dense(10)"],
        ["--model", "dense(256"],
        ["--model", "dropout(1.5)|dense(10)"],
        ["--optimizer", "adamm(lr=0.1)"],
        ["--optimizer", "adam(lr=-1)"],
        ["--optimizer", "adam(lerning_rate=0.1)"],
        ["--schedule", "exponential(rate=x)"],
        ["--regularizer", "l3(lambda=1)"],
        ["--early-stopping", "patience=-2"],
        ["--early-stopping", "patience=3, monitr=loss"],
        ["--data", "mnist"],
        ["--no-such-flag"],
        ["--epochs", "ten"],
        ["--load", "a.safetensors", "--resume", "b.ckpt"],
        ["--recipe", "resnet50"],
        ["--loss", "hinge"],
        ["--loss", "softmax-ce(label_smoothing=1)"],
        ["--schedule", "one-cycle(pct_start=2)"],
        ["--model", "residual(relu|)|dense(10)"],
        ["--model", "residual(3)|dense(10)"],
        ["--model", "residual(conv(8, kernel=3), shortcut=)"],
    ])
    func usageErrorsExit64(arguments: [String]) throws {
        let result = try ExampleRunner.run("mnist-classifier", arguments, timeout: 30)
        #expect(result.status == 64, "\(arguments): status \(result.status), stderr: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(arguments): expected one line, got: \(result.stderr)")
        #expect(result.stderr.hasPrefix("mnist-classifier: error: "))
        #expect(result.stdout.isEmpty)
    }

    @Test func unknownNamesListTheValidOnes() throws {
        let result = try ExampleRunner.run("mnist-classifier", ["--optimizer", "adamm"], timeout: 30)
        #expect(result.stderr.contains("adam") && result.stderr.contains("sgd") && result.stderr.contains("did you mean 'adam'"))
    }

    @Test func recipesAreListedAndUnknownOnesNameTheValidOnes() throws {
        let list = try ExampleRunner.run("mnist-classifier", ["--recipe", "list"], timeout: 30)
        #expect(list.status == 0, "\(list.stderr)")
        for name in ["mlp:", "cnn:", "resnet:", "--model", "--optimizer", "--schedule", "--loss", "--epochs"] {
            #expect(list.stdout.contains(name), "--recipe list lacks \(name): \(list.stdout)")
        }
        let unknown = try ExampleRunner.run("mnist-classifier", ["--recipe", "resnt"], timeout: 30)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("cnn") && unknown.stderr.contains("mlp") && unknown.stderr.contains("did you mean 'resnet'"), "\(unknown.stderr)")
        let nested = try ExampleRunner.run("mnist-classifier", ["--model", "residual(relu|)|dense(10)"], timeout: 30)
        #expect(nested.stderr.contains("at column 15"), "\(nested.stderr)")
    }

    /// A block whose shortcut does not fit is one error line naming the block and both
    /// shapes; a recipe's parts are overridden by explicit flags.
    @Test func residualNetworksTrainSaveLoadAndResume() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let bad = try ExampleRunner.run("mnist-classifier", ["--limit", "100", "--epochs", "1",
            "--model", "conv(4, kernel=3, padding=1)|residual(conv(8, kernel=3, stride=2, padding=1))|flatten|dense(10)"], timeout: 60)
        #expect(bad.status == 1, "\(bad.stderr)")
        #expect(bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("residual(conv(8")
                && bad.stderr.contains("8x14x14") && bad.stderr.contains("4x28x28"), "\(bad.stderr)")
        // The resnet recipe's architecture family, small: nested blocks, every loss flag.
        let model = "conv(8, kernel=3, padding=1, bias=false)|batchnorm|relu|residual(conv(8, kernel=3, padding=1, bias=false)|batchnorm|relu|dropout(0.1)|conv(8, kernel=3, padding=1)|batchnorm)|relu"
            + "|residual(conv(16, kernel=3, stride=2, padding=1)|batchnorm, shortcut=conv(16, kernel=1, stride=2, bias=false)|batchnorm)|relu|global-avgpool|dense(10)"
        let common = ["--recipe", "resnet", "--model", model, "--limit", "1200", "--dev-size", "200", "--seed", "3",
                      "--augment", "none", "--optimizer", "adam(lr=0.01)", "--schedule", "one-cycle(total=2)"]
        var r = try ExampleRunner.run("mnist-classifier", common + ["--epochs", "2", "--json", "--save", dir + "/full.safetensors"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        let accuracy = (summary["test_accuracy"] as! NSNumber).doubleValue
        // 16 steps: past chance (0.1), measured 0.244.
        #expect(accuracy > 0.15, "1,000 images, 2 epochs: \(accuracy)")
        // The recipe evaluates with --tta flip and reports the one-view accuracy beside it;
        // --load gives each again.
        #expect(summary["tta"] as? String == "flip")
        let oneView = (summary["test_accuracy_one_view"] as! NSNumber).doubleValue
        for (flags, expected) in [(["--tta", "flip"], accuracy), ([], oneView)] {
            r = try ExampleRunner.run("mnist-classifier", ["--load", dir + "/full.safetensors", "--json"] + flags, timeout: 120)
            #expect(r.status == 0, "\(r.stderr)")
            let loaded = try JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
            #expect((loaded["test_accuracy"] as! NSNumber).doubleValue == expected, "\(flags)")
        }
        // Interrupted after epoch 1 and resumed: the same bytes.
        r = try ExampleRunner.run("mnist-classifier", common + ["--epochs", "1", "--checkpoint", dir + "/run.ckpt"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        r = try ExampleRunner.run("mnist-classifier", common + ["--epochs", "2", "--resume", dir + "/run.ckpt", "--save", dir + "/resumed.safetensors"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let full = try Data(contentsOf: URL(fileURLWithPath: dir + "/full.safetensors"))
        let resumed = try Data(contentsOf: URL(fileURLWithPath: dir + "/resumed.safetensors"))
        #expect(full == resumed, "resumed weights differ from the uninterrupted run")
        // Resuming with another loss is an error naming the run's (the recipe's) loss.
        r = try ExampleRunner.run("mnist-classifier", common + ["--epochs", "2", "--resume", dir + "/run.ckpt", "--loss", "mse"], timeout: 120)
        #expect(r.status == 1 && r.stderr.contains("--loss softmax-ce(label_smoothing=0.1)"), "\(r.stderr)")
    }

    /// `--standardize`: per-channel statistics of the training split, saved in the model file
    /// and applied again by `--load` (the loaded model scores exactly the same).
    @Test func standardizationIsSavedAndAppliedAtLoad() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let common = ["--limit", "1500", "--dev-size", "300", "--epochs", "1", "--model", "conv(4, kernel=3)|relu|flatten|dense(10)"]
        var r = try ExampleRunner.run("mnist-classifier", common + ["--standardize", "--json", "--save", dir + "/z.safetensors"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("standardized per channel (mean 0.2"), "\(r.stderr)")
        let accuracy = try Self.testAccuracy(r.stdout)
        let file = try String(decoding: Data(contentsOf: URL(fileURLWithPath: dir + "/z.safetensors")).prefix(4000), as: UTF8.self)
        #expect(file.contains("kiln.input_mean") && file.contains("kiln.input_std"))
        r = try ExampleRunner.run("mnist-classifier", ["--load", dir + "/z.safetensors", "--json"], timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.testAccuracy(r.stdout) == accuracy)
        #expect(r.stderr.contains("standardized per channel with the file's statistics"), "\(r.stderr)")
    }

    static func testAccuracy(_ stdout: String) throws -> Double {
        let summary = try JSONSerialization.jsonObject(with: Data(stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        return (summary["test_accuracy"] as! NSNumber).doubleValue
    }

    @Test func helpExitsZero() throws {
        let result = try ExampleRunner.run("mnist-classifier", ["--help"], timeout: 30)
        #expect(result.status == 0)
        for flag in ["--data", "--model", "--optimizer", "--schedule", "--regularizer", "--early-stopping", "--epochs",
                     "--batch-size", "--seed", "--threads", "--save", "--load", "--resume", "--json", "--dev-size"] {
            #expect(result.stdout.contains(flag), "--help lacks \(flag)")
        }
    }

    /// The "every core" rule end to end: a CNN with BatchNorm, dropout and augmentation,
    /// trained by the CLI with 1, 2 and 3 threads, saves byte-identical model files; the
    /// help text says the default is the cores.
    @Test func anyThreadCountSavesTheSameModel() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        var files: [Data] = []
        for threads in [1, 2, 3] {
            let model = "\(dir)/t\(threads).safetensors"
            let result = try ExampleRunner.run("mnist-classifier", [
                "--limit", "600", "--dev-size", "100", "--epochs", "2", "--batch-size", "100", "--shards", "3",
                "--model", "conv(8, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|dropout(0.2)|flatten|dense(10)",
                "--augment", "random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)",
                "--threads", "\(threads)", "--save", model,
            ], timeout: 300)
            #expect(result.status == 0, "threads \(threads): \(result.stderr)")
            files.append(try Data(contentsOf: URL(fileURLWithPath: model)))
        }
        #expect(files[0] == files[1] && files[0] == files[2], "model files differ between thread counts")
        let help = try ExampleRunner.run("mnist-classifier", ["--help"], timeout: 30)
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("the default is the number of cores this process may use"))
    }

    @Test func runtimeErrorsExit1() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        var result = try ExampleRunner.run("mnist-classifier", ["--data", "idx:\(dir)/nothing-here"], timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        result = try ExampleRunner.run("mnist-classifier", ["--load", "\(dir)/missing.safetensors"], timeout: 30)
        #expect(result.status == 1)
        #expect(result.stderr.contains("missing.safetensors"))
        // A CNN spec on flat data that cannot fit: names the layer.
        result = try ExampleRunner.run("mnist-classifier", ["--limit", "200", "--model", "maxpool(64)|flatten|dense(10)"], timeout: 60)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("maxpool"))
    }

    @Test func smallRunPrintsJSONAndSavesAModelThatLoads() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let model = dir + "/m.safetensors"
        let result = try ExampleRunner.run("mnist-classifier", [
            "--limit", "2000", "--dev-size", "200", "--epochs", "2", "--json", "--save", model,
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "two epoch lines and a summary: \(result.stdout)")
        let summary = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        for key in ["test_accuracy", "test_loss", "epochs_run", "train_seconds"] { #expect(summary[key] != nil, "missing \(key)") }
        let accuracy = (summary["test_accuracy"] as! NSNumber).doubleValue
        #expect(accuracy > 0.6, "2,000 images, 2 epochs: accuracy \(accuracy)")
        #expect((summary["epochs_run"] as! NSNumber).intValue == 2)
        let loaded = try ExampleRunner.run("mnist-classifier", ["--load", model, "--json"], timeout: 120)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let again = try JSONSerialization.jsonObject(with: Data(loaded.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((again["test_accuracy"] as! NSNumber).doubleValue == accuracy, "the saved model scores the same")
    }

    /// Early stopping on the dev loss restores the best epoch's weights; --plot writes an
    /// SVG with the curves; --history writes CSV.
    @Test func earlyStoppingPlotAndHistory() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let r = try ExampleRunner.run("mnist-classifier", [
            "--limit", "2000", "--dev-size", "500", "--epochs", "4", "--early-stopping", "patience=1, monitor=loss",
            "--plot", dir + "/curves.svg", "--history", dir + "/history.csv", "--json",
        ], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect(summary["best_epoch"] != nil)
        let svg = try String(contentsOfFile: dir + "/curves.svg", encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("dev loss") && svg.hasSuffix("</svg>\n"))
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "the SVG is well-formed XML")
        let csv = try String(contentsOfFile: dir + "/history.csv", encoding: .utf8)
        #expect(csv.hasPrefix("epoch,train_loss"))
    }

    @Test func resumeEndsBitIdenticalToAnUninterruptedRun() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        // A per-step schedule with an explicit length: the interrupted run and the whole run
        // follow the same curve (the checkpoint keeps it; see the Training README).
        let common = ["--limit", "1500", "--dev-size", "300", "--model", "dense(32)|relu|dropout(0.2)|dense(10)", "--seed", "7",
                      "--schedule", "warmup-cosine(warmup=0.5, total=3)"]
        // Uninterrupted: 3 epochs.
        var r = try ExampleRunner.run("mnist-classifier", common + ["--epochs", "3", "--save", dir + "/full.safetensors"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        // Interrupted: 1 epoch with a checkpoint, then resume to 3.
        r = try ExampleRunner.run("mnist-classifier", common + ["--epochs", "1", "--checkpoint", dir + "/run.ckpt"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        r = try ExampleRunner.run("mnist-classifier", common + ["--epochs", "3", "--resume", dir + "/run.ckpt", "--save", dir + "/resumed.safetensors"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        let full = try Data(contentsOf: URL(fileURLWithPath: dir + "/full.safetensors"))
        let resumed = try Data(contentsOf: URL(fileURLWithPath: dir + "/resumed.safetensors"))
        #expect(full == resumed, "resumed weights differ from the uninterrupted run")
    }
    /// An absurd learning rate with `--skip-nonfinite`: the diverging steps are skipped and
    /// counted in the JSON (without the flag the hostile-input table expects an error
    /// naming the epoch and batch).
    @Test func skipNonFiniteCountsTheSkippedSteps() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        try HostileFiles.writeIDX(in: dir + "/idx", damage: .none)
        let r = try ExampleRunner.run("mnist-classifier", ["--data", "idx:\(dir)/idx", "--optimizer", "sgd(lr=1e30)",
                                                          "--skip-nonfinite", "--epochs", "1", "--json"], timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(r.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((summary["skipped_steps"] as? Int ?? 0) >= 1, "\(r.stdout)")
        #expect(r.stderr.contains("non-finite steps skipped"), "\(r.stderr)")
    }
}
