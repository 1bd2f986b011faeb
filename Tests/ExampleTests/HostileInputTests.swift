import Foundation
import Testing

/// The hardening contract, as a table: every example meets broken files, typos and absurd
/// settings with exactly one line on standard error (`<command>: error: ...`) and exit
/// status 1 (64 for usage errors), within seconds, with no Swift trap and no output file
/// left behind. Each case runs the built executable in a folder of its own, prepared with
/// the broken input it needs (a small MNIST-style IDX folder, PNG class folders exported
/// from it, PngSuite's broken files, truncated and bit-flipped copies of valid files).
@Suite(.serialized) struct HostileInputTests {
    @Test(arguments: HostileCase.all)
    func answersWithOneLineAndTheRightStatus(_ c: HostileCase) throws {
        let dir = try ExampleRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try c.setup.prepare(in: dir)
        let arguments = c.arguments.map { $0.replacingOccurrences(of: "$DIR", with: dir).replacingOccurrences(of: "$SUITE", with: HostileFiles.pngSuite) }
        let start = Date()
        let result = try ExampleRunner.run(c.command, arguments, timeout: 60)
        let seconds = Date().timeIntervalSince(start)

        #expect(result.status == c.status, "\(c.label): status \(result.status), stderr: \(result.stderr)")
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "\(c.label): expected one line on stderr, got: \(result.stderr)")
        #expect(result.stderr.hasPrefix("\(c.command): error: "), "\(c.label): \(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrac"), "\(c.label): a trap: \(result.stderr)")
        if let mention = c.mentions {
            #expect(result.stderr.localizedCaseInsensitiveContains(mention), "\(c.label): stderr lacks '\(mention)': \(result.stderr)")
        }
        #expect(seconds < 30, "\(c.label): took \(seconds) s")
        // Nothing half-written: no output file, and no temporary file beside it.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out")) ?? []
        #expect(leftovers.isEmpty, "\(c.label): left \(leftovers) in the output folder")
    }
}

/// One row of the table. Arguments may name `$DIR` (the case's folder, holding `idx/`,
/// `png/`, `bad/` and an empty `out/` for outputs) and `$SUITE` (the PngSuite copy).
struct HostileCase: Sendable, CustomTestStringConvertible {
    var label: String
    var command: String
    var arguments: [String]
    var status: Int32
    var mentions: String?
    var setup: HostileSetup = .none

    var testDescription: String { label }

    static let all: [HostileCase] = classifier + images + others

    /// `mnist-classifier` on broken data folders, model files and settings. Every run that
    /// could write asks for `--save $DIR/out/model.safetensors`, which must not appear.
    static let classifier: [HostileCase] = {
        func c(_ label: String, _ args: [String], _ status: Int32 = 1, _ mentions: String? = nil, _ setup: HostileSetup = .none) -> HostileCase {
            HostileCase(label: label, command: "mnist-classifier",
                        arguments: args + (args.contains("--save") || args.contains("--load") ? [] : ["--save", "$DIR/out/model.safetensors"]),
                        status: status, mentions: mentions, setup: setup)
        }
        let idx = ["--data", "idx:$DIR/idx"], png = ["--data", "png:$DIR/png"]
        return [
            c("idx folder missing", ["--data", "idx:$DIR/nothing"], 1, "no such directory"),
            c("idx folder empty", idx, 1, "train-images", .idx(.removeAll)),
            c("idx path is a file", ["--data", "idx:$DIR/idx/train-labels-idx1-ubyte"], 1, "not a directory", .idx(.none)),
            c("idx images file is a folder", idx, 1, "train-images", .idx(.replaceWithFolder("train-images-idx3-ubyte"))),
            c("idx images file empty", idx, 1, "train-images", .idx(.replace("train-images-idx3-ubyte", []))),
            c("idx element type that is not bytes", idx, 1, "not supported", .idx(.badMagic("train-images-idx3-ubyte"))),
            c("idx images truncated", idx, 1, "train-images", .idx(.truncate("train-images-idx3-ubyte", keep: 2000))),
            c("idx label beyond the model's classes", idx, 1, "11 classes", .idx(.labelOutOfRange)),
            c("idx label count differs from image count", idx, 1, "train-labels", .idx(.dropLastLabel)),
            c("idx images of rank 2", idx, 1, "train-images", .idx(.rank2Images)),
            c("idx train and test image sizes differ", idx, 1, "27x27", .idx(.testImageSize(27))),
            c("idx gzip truncated", idx, 1, "train-labels", .idx(.gzipLabels(.truncated))),
            c("idx gzip bit-flipped", idx, 1, "train-labels", .idx(.gzipLabels(.bitFlipped))),
            c("idx .gz file that is text", idx, 1, "train-labels", .idx(.gzipLabels(.text))),
            c("png folder missing", ["--data", "png:$DIR/nothing"], 1, "no such directory"),
            c("png folder without test/", png, 1, "test", .png(.removeTest)),
            c("png train/ without class folders", png, 1, "train", .png(.emptyTrain)),
            c("png broken PngSuite file (bad CRC)", png, 1, "xcrn0g04.png", .png(.add(suite: HostileFiles.brokenSuiteFile))),
            c("png libpng crasher", png, 1, "badadler.png", .png(.add(suite: HostileFiles.crasher))),
            c("png truncated copy of a valid file", png, 1, "cut.png", .png(.truncatedCopy)),
            c("png bit-flipped copy of a valid file", png, 1, "flipped.png", .png(.bitFlippedCopy)),
            c("png text file named .png", png, 1, "text.png", .png(.textFile)),
            c("png train and test classes differ", png, 1, "class", .png(.extraTestClass)),
            c("png images of different sizes", png, 1, "different sizes", .png(.add(suite: HostileFiles.validPNG))),
            c("png test images of another size than train", png, 1, "different sizes", .png(.largerTestImages)),
            c("png resize to nothing", png + ["--image-size", "0x28"], 64, "--image-size"),
            c("--channels on IDX data", idx + ["--channels", "3"], 64, "png:DIR only"),
            c("a model for RGB images loaded on grey ones", png + ["--load", "$DIR/png/rgb.safetensors"], 1, "--channels 3", .png(.rgbModel)),
            c("a residual block whose shortcut does not fit", idx + ["--model", "conv(4, kernel=3, padding=1)|residual(conv(8, kernel=3, stride=2, padding=1))|flatten|dense(10)"],
              1, "shortcut", .idx(.none)),
            c("malformed nested spec names the column", ["--model", "residual(conv(8, kernel=3)|)|dense(10)"], 64, "column 28"),
            c("unknown recipe lists the valid ones", ["--recipe", "resnet18"], 64, "cnn, mlp, resnet"),
            c("unknown --tta mode lists the valid ones", ["--tta", "rotate"], 64, "none, flip, flip-shift"),
            c("--tta flip on a model without images", idx + ["--tta", "flip", "--epochs", "1"], 1, "needs image inputs", .idx(.none)),
            c("unknown loss lists the valid ones", ["--loss", "hinge"], 64, "softmax-ce"),
            c("--load garbage", ["--load", "$DIR/bad/garbage.safetensors"], 1, "garbage.safetensors", .bad(.garbage)),
            c("--load tensors beyond the end of the file", ["--load", "$DIR/bad/short.safetensors"], 1, "short.safetensors", .bad(.shortTensor)),
            c("--load a safetensors file that is not a Kiln model", ["--load", "$DIR/bad/plain.safetensors"], 1, "not a Kiln model", .bad(.plainSafetensors)),
            c("--load missing file", ["--load", "$DIR/bad/none.safetensors"], 1, "none.safetensors"),
            c("--resume garbage", idx + ["--resume", "$DIR/bad/garbage.safetensors"], 1, "--resume", .both(.idx(.none), .garbage)),
            c("--save into a missing folder", idx + ["--save", "$DIR/out/no/such/m.safetensors"], 1, "does not exist", .idx(.none)),
            c("--plot into a missing folder", idx + ["--plot", "$DIR/out/no/plot.svg"], 1, "--plot", .idx(.none)),
            c("--history is a folder", idx + ["--history", "$DIR/bad"], 1, "directory", .both(.idx(.none), .garbage)),
            c("model too large to allocate", idx + ["--model", "dense(100000000000)|dense(10)"], 1, "limit", .idx(.none)),
            c("model kernel larger than the image", idx + ["--model", "conv(8, kernel=50)|flatten|dense(10)"], 1, "conv", .idx(.none)),
            c("model output does not match the classes", idx + ["--model", "dense(16)|dense(5)"], 1, "10 classes", .idx(.none)),
            c("absurd learning rate diverges", idx + ["--optimizer", "sgd(lr=1e30)", "--epochs", "2"], 1, "batch", .idx(.none)),
            c("augmentation crop larger than the image", idx + ["--augment", "random-crop(width=40, height=40)"], 1, "40", .idx(.none)),
            c("dropout rate 1", ["--model", "dense(16)|dropout(1)|dense(10)"], 64, "dropout"),
            c("negative learning rate", ["--optimizer", "adam(lr=-0.1)"], 64, "lr"),
            c("clip value 0", ["--clip-value", "0"], 64, "--clip-value"),
            c("--freeze not positions", ["--freeze", "first"], 64, "--freeze"),
            c("--freeze a layer without parameters", idx + ["--freeze", "1"], 1, "no parameters", .idx(.none)),
            c("a layer's unknown regularizer", ["--model", "dense(16, regularizer=l7)|dense(10)"], 64, "regularizer"),
            c("batch size 0", ["--batch-size", "0"], 64, "batch-size"),
            c("unknown optimizer lists the valid ones", ["--optimizer", "adamm"], 64, "sgd"),
            c("unknown layer lists the valid ones", ["--model", "dense(16)|reluu|dense(10)"], 64, "relu"),
            c("malformed model spec names the column", ["--model", "dense(256"], 64, "column"),
            c("unknown augmentation", ["--augment", "twirl"], 64, "random-crop"),
        ]
    }()

    /// `augment-image` on PngSuite's broken files and damaged copies of valid ones.
    static let images: [HostileCase] = {
        func a(_ label: String, _ input: String, _ ops: String = "flip", _ status: Int32 = 1, _ mentions: String? = nil,
               _ setup: HostileSetup = .none, output: String = "$DIR/out/result.png") -> HostileCase {
            HostileCase(label: label, command: "augment-image", arguments: [input, output, "--ops", ops],
                        status: status, mentions: mentions, setup: setup)
        }
        var rows = [
            a("missing input", "$DIR/none.png", "flip", 1, "none.png"),
            a("input is a folder", "$DIR/bad", "flip", 1, "is a directory, not a file", .bad(.garbage)),
            a("empty file", "$DIR/bad/empty.png", "flip", 1, "empty file", .bad(.empty)),
            a("truncated copy of a valid PNG", "$DIR/bad/cut.png", "flip", 1, "cut.png", .bad(.truncatedPNG)),
            a("bit-flipped copy of a valid PNG", "$DIR/bad/flipped.png", "flip", 1, "flipped.png", .bad(.bitFlippedPNG)),
            a("crop window outside the image", "$SUITE/libpng/pngtest.png", "crop(x=0, y=0, width=1000, height=1000)", 1, "outside"),
            a("resize over the pixel limit", "$SUITE/libpng/pngtest.png", "resize(width=100000, height=100000)", 1, "limit"),
            a("output folder missing", "$SUITE/libpng/pngtest.png", "flip", 1, "no/such", output: "$DIR/out/no/such/result.png"),
            a("malformed ops", "$SUITE/libpng/pngtest.png", "rotate(degrees=", 64, "column"),
            a("unknown op lists the valid ones", "$SUITE/libpng/pngtest.png", "twirl", 64, "random-rotate"),
            a("out-of-range op argument", "$SUITE/libpng/pngtest.png", "random-flip(p=2)", 64, "p"),
        ]
        // Every broken file of the libpng table: one line naming the file.
        precondition(HostileFiles.brokenSuiteFiles.count >= 20, "the PngSuite table was not found at \(HostileFiles.pngSuite)")
        for file in HostileFiles.brokenSuiteFiles {
            rows.append(a("PngSuite \(file)", "$SUITE/\(file)", "flip", 1, (file as NSString).lastPathComponent))
        }
        return rows
    }()

    static let others: [HostileCase] = [
        HostileCase(label: "bagging-ensemble --standardize (not saved in ensemble folders)", command: "bagging-ensemble",
                    arguments: ["--standardize"], status: 64, mentions: "--standardize"),
        HostileCase(label: "bagging-ensemble unknown recipe", command: "bagging-ensemble",
                    arguments: ["--recipe", "big"], status: 64, mentions: "resnet"),
        HostileCase(label: "export-png idx folder missing", command: "export-png",
                    arguments: ["--data", "idx:$DIR/nothing", "--out", "$DIR/out/png"], status: 1, mentions: "no such directory"),
        HostileCase(label: "export-png corrupt gzip", command: "export-png",
                    arguments: ["--data", "idx:$DIR/idx", "--out", "$DIR/out/png"], status: 1, mentions: "train-labels",
                    setup: .idx(.gzipLabels(.bitFlipped))),
        HostileCase(label: "export-png --out is a file", command: "export-png",
                    arguments: ["--data", "idx:$DIR/idx", "--out", "$DIR/idx/train-labels-idx1-ubyte", "--limit", "2"], status: 1,
                    setup: .idx(.none)),
        HostileCase(label: "export-png negative limit", command: "export-png", arguments: ["--limit", "-1", "--out", "$DIR/out/png"],
                    status: 64, mentions: "limit"),
        HostileCase(label: "optimizer-trajectories unknown function", command: "optimizer-trajectories",
                    arguments: ["--function", "nope", "--svg", "$DIR/out/t.svg"], status: 64, mentions: "rosenbrock"),
        HostileCase(label: "optimizer-trajectories unknown optimizer", command: "optimizer-trajectories",
                    arguments: ["--optimizer", "sgdd(lr=0.1)", "--svg", "$DIR/out/t.svg"], status: 64, mentions: "sgd"),
        HostileCase(label: "optimizer-trajectories bad start", command: "optimizer-trajectories",
                    arguments: ["--start", "1,2,3", "--csv", "$DIR/out/t.csv"], status: 64, mentions: "--start"),
        HostileCase(label: "custom-optimizer zero epochs", command: "custom-optimizer", arguments: ["--epochs", "0"],
                    status: 64, mentions: "epochs"),
        HostileCase(label: "gradient-check unknown flag", command: "gradient-check", arguments: ["--nope"], status: 64),
        HostileCase(label: "gradient-check unknown mode", command: "gradient-check", arguments: ["--mode", "nope"], status: 64, mentions: "train or eval"),
        HostileCase(label: "bagging-ensemble zero members", command: "bagging-ensemble", arguments: ["--members", "0"], status: 64, mentions: "members"),
        HostileCase(label: "bagging-ensemble max-samples above 1", command: "bagging-ensemble", arguments: ["--max-samples", "1.5"], status: 64, mentions: "max-samples"),
        HostileCase(label: "bagging-ensemble unknown voting", command: "bagging-ensemble", arguments: ["--voting", "loud"], status: 64, mentions: "soft"),
        HostileCase(label: "kiln-model summary garbage", command: "kiln-model", arguments: ["summary", "$DIR/bad/garbage.safetensors"], status: 1,
                    mentions: "garbage.safetensors", setup: .bad(.garbage)),
        HostileCase(label: "kiln-model summary tensors beyond the end of the file", command: "kiln-model",
                    arguments: ["summary", "$DIR/bad/short.safetensors"], status: 1, mentions: "short.safetensors", setup: .bad(.shortTensor)),
        HostileCase(label: "kiln-model export-onnx of a safetensors file that is not a Kiln model", command: "kiln-model",
                    arguments: ["export-onnx", "$DIR/bad/plain.safetensors", "$DIR/out/m.onnx"], status: 1, mentions: "kiln.model", setup: .bad(.plainSafetensors)),
        HostileCase(label: "kiln-model import-torch of garbage", command: "kiln-model",
                    arguments: ["import-torch", "$DIR/bad/garbage.safetensors", "--model", "dense(10)", "--input-shape", "784", "--out", "$DIR/out/m.safetensors"],
                    status: 1, mentions: "garbage.safetensors", setup: .bad(.garbage)),
        HostileCase(label: "kiln-model import-torch of a state_dict that does not fit the spec", command: "kiln-model",
                    arguments: ["import-torch", "$DIR/bad/plain.safetensors", "--model", "dense(10)", "--input-shape", "784", "--out", "$DIR/out/m.safetensors"],
                    status: 1, mentions: "0.weight", setup: .bad(.plainSafetensors)),
        HostileCase(label: "kiln-model predict into a missing folder", command: "kiln-model",
                    arguments: ["predict", "$DIR/bad/plain.safetensors", "--data", "fashion-mnist", "--out", "$DIR/out/no/p.csv"], status: 1,
                    mentions: "p.csv", setup: .bad(.plainSafetensors)),
        HostileCase(label: "boosting-ensemble zero members", command: "boosting-ensemble", arguments: ["--members", "0"], status: 64, mentions: "members"),
        HostileCase(label: "bagging-ensemble --load missing folder", command: "bagging-ensemble", arguments: ["--load", "$DIR/none"], status: 1, mentions: "none"),
        HostileCase(label: "bagging-ensemble --load a folder without a manifest", command: "bagging-ensemble", arguments: ["--load", "$DIR/bad"], status: 1,
                    mentions: "bad", setup: .bad(.garbage)),
        HostileCase(label: "bagging-ensemble corrupt gzip data", command: "bagging-ensemble",
                    arguments: ["--data", "idx:$DIR/idx", "--members", "2", "--save", "$DIR/out/ens"], status: 1, mentions: "train-labels",
                    setup: .idx(.gzipLabels(.truncated))),
        HostileCase(label: "bagging-ensemble --save into a missing folder", command: "bagging-ensemble",
                    arguments: ["--data", "idx:$DIR/idx", "--members", "2", "--save", "$DIR/out/no/such/ens"], status: 1, setup: .idx(.none)),
        HostileCase(label: "hyperparameter-search malformed space", command: "hyperparameter-search",
                    arguments: ["--space", "lr=log(1e-4", "--svg", "$DIR/out/s.svg"], status: 64, mentions: "column"),
        HostileCase(label: "hyperparameter-search log range with a negative bound", command: "hyperparameter-search",
                    arguments: ["--space", "lr=log(-1, 0.1)", "--svg", "$DIR/out/s.svg"], status: 64, mentions: "lr"),
        HostileCase(label: "hyperparameter-search zero trials", command: "hyperparameter-search", arguments: ["--trials", "0"], status: 64, mentions: "trials"),
        HostileCase(label: "hyperparameter-search missing data", command: "hyperparameter-search",
                    arguments: ["--data", "idx:$DIR/nothing", "--svg", "$DIR/out/s.svg"], status: 1, mentions: "no such directory"),
        HostileCase(label: "init-histograms zero layers", command: "init-histograms", arguments: ["--layers", "0"], status: 64, mentions: "layers"),
        HostileCase(label: "init-histograms unknown initializer", command: "init-histograms",
                    arguments: ["--pair", "nope+relu", "--svg", "$DIR/out/h.svg"], status: 64, mentions: "nope"),
        HostileCase(label: "init-histograms --svg into a missing folder", command: "init-histograms",
                    arguments: ["--svg", "$DIR/out/no/h.svg"], status: 1),
        HostileCase(label: "regularization-comparison zero epochs", command: "regularization-comparison", arguments: ["--epochs", "0"], status: 64, mentions: "epochs"),
        HostileCase(label: "regularization-comparison missing data", command: "regularization-comparison",
                    arguments: ["--data", "idx:$DIR/nothing", "--svg", "$DIR/out/r.svg"], status: 1, mentions: "no such directory"),
        HostileCase(label: "kiln-bench unknown case", command: "kiln-bench", arguments: ["nope"], status: 64, mentions: "nope"),
        HostileCase(label: "kiln-bench zero threads", command: "kiln-bench", arguments: ["gemm", "--threads", "0"], status: 64, mentions: "threads"),
        HostileCase(label: "kiln-bench malformed ops", command: "kiln-bench", arguments: ["augment", "--ops", "crop(x=1"], status: 64, mentions: "--ops"),
    ]
}

/// What a case's folder holds before the run.
enum HostileSetup: Sendable {
    case none
    case idx(IDXDamage)
    case png(PNGDamage)
    case bad(BadFile)
    case both(HostileSetup.IDXOnly, BadFile)

    /// `.both` carries the IDX part without nesting enums recursively.
    enum IDXOnly: Sendable { case idx(IDXDamage) }

    enum IDXDamage: Sendable {
        case none, removeAll, labelOutOfRange, dropLastLabel, rank2Images
        case replace(String, [UInt8]), replaceWithFolder(String), badMagic(String), truncate(String, keep: Int)
        case testImageSize(Int)
        case gzipLabels(GzipDamage)
    }
    enum GzipDamage: Sendable { case truncated, bitFlipped, text }
    enum PNGDamage: Sendable {
        case removeTest, emptyTrain, truncatedCopy, bitFlippedCopy, textFile, extraTestClass, largerTestImages, rgbModel
        case add(suite: String)
    }
    enum BadFile: Sendable { case garbage, empty, shortTensor, plainSafetensors, truncatedPNG, bitFlippedPNG }

    func prepare(in dir: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        switch self {
        case .none: break
        case .idx(let damage): try HostileFiles.writeIDX(in: dir + "/idx", damage: damage)
        case .png(let damage): try HostileFiles.writePNGFolders(in: dir, damage: damage)
        case .bad(let file): try HostileFiles.writeBad(file, in: dir + "/bad")
        case .both(.idx(let damage), let file):
            try HostileFiles.writeIDX(in: dir + "/idx", damage: damage)
            try HostileFiles.writeBad(file, in: dir + "/bad")
        }
    }
}

/// Builders of the broken inputs.
enum HostileFiles {
    /// The PngSuite copy committed with KilnAugmentation's tests.
    static let pngSuite: String = {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()   // Tests/ExampleTests
        return here.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Packages/Augmentation/TestData/pngsuite").path
    }()
    static let brokenSuiteFile = "image-png/tests/pngsuite/xcrn0g04.png"
    static let crasher = "libpng/contrib/testpngs/crashers/badadler.png"
    static let validPNG = "libpng/contrib/pngsuite/basn0g08.png"

    /// Every file the committed libpng table (`expected-libpng-1.6.39-simplified.tsv`)
    /// records as failing to decode in every format: PngSuite's deliberately broken `x*`
    /// files, libpng's crashers and the image-png bug files. (A "crasher" that libpng 1.6
    /// decodes, such as `empty_ancillary_chunks.png`, is a valid image and not listed.)
    static let brokenSuiteFiles: [String] = {
        let table = (try? String(contentsOfFile: pngSuite + "/expected-libpng-1.6.39-simplified.tsv", encoding: .utf8)) ?? ""
        var fails: [String: Bool] = [:]
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count > 3 else { continue }
            let file = String(fields[0])
            fails[file] = (fails[file] ?? true) && fields[3].hasPrefix("FAIL")
        }
        return fails.filter(\.value).keys.sorted()
    }()

    static func idxBytes(_ dims: [Int], _ data: [UInt8], magicType: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, magicType, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return bytes + data
    }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// A small MNIST-style folder: 200 train and 40 test images of 28x28 with labels 0...9
    /// (raw IDX), damaged as asked.
    static func writeIDX(in dir: String, damage: HostileSetup.IDXDamage) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func images(_ n: Int, side: Int = 28) -> [UInt8] {
            (0..<(n * side * side)).map { UInt8(truncatingIfNeeded: ($0 * 37 + $0 / (side * side) * 11) % 251) }
        }
        var trainLabels = (0..<200).map { UInt8($0 % 10) }
        var trainImages = idxBytes([200, 28, 28], images(200))
        var testImages = idxBytes([40, 28, 28], images(40))
        switch damage {
        case .labelOutOfRange: trainLabels[7] = 10
        case .dropLastLabel: trainLabels.removeLast()
        case .rank2Images: trainImages = idxBytes([200, 784], images(200))
        case .testImageSize(let side): testImages = idxBytes([40, side, side], images(40, side: side))
        default: break
        }
        try write(trainImages, dir + "/train-images-idx3-ubyte")
        try write(idxBytes([trainLabels.count], trainLabels), dir + "/train-labels-idx1-ubyte")
        try write(testImages, dir + "/t10k-images-idx3-ubyte")
        try write(idxBytes([40], (0..<40).map { UInt8($0 % 10) }), dir + "/t10k-labels-idx1-ubyte")
        switch damage {
        case .removeAll:
            for name in try fm.contentsOfDirectory(atPath: dir) { try fm.removeItem(atPath: dir + "/" + name) }
        case .replace(let name, let bytes): try write(bytes, dir + "/" + name)
        case .replaceWithFolder(let name):
            try fm.removeItem(atPath: dir + "/" + name)
            try fm.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: false)
        case .badMagic(let name):
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            bytes[2] = 0x0C   // int32 data: not what an image file holds
            try write(bytes, dir + "/" + name)
        case .truncate(let name, let keep):
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            try write(Array(bytes.prefix(keep)), dir + "/" + name)
        case .gzipLabels(let kind):
            // A real gzip file (Debian's Fashion-MNIST test labels), damaged; the raw file
            // goes so the loader reads the .gz one.
            try fm.removeItem(atPath: dir + "/train-labels-idx1-ubyte")
            let real = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")))
            let bytes: [UInt8]
            switch kind {
            case .truncated: bytes = Array(real.prefix(real.count / 2))
            case .bitFlipped:
                var b = real
                for i in stride(from: 40, to: b.count - 8, by: 97) { b[i] ^= 0x10 }
                bytes = b
            case .text: bytes = Array("these are not the labels you are looking for\n".utf8)
            }
            try write(bytes, dir + "/train-labels-idx1-ubyte.gz")
        default: break
        }
    }

    /// PNG class folders `png/{train,test}/<class>/*.png` made from a small IDX folder by
    /// `export-png`, then damaged.
    static func writePNGFolders(in dir: String, damage: HostileSetup.PNGDamage) throws {
        let fm = FileManager.default
        try writeIDX(in: dir + "/idx", damage: .none)
        let export = try ExampleRunner.run("export-png", ["--data", "idx:\(dir)/idx", "--out", dir + "/png", "--limit", "3"], timeout: 60)
        guard export.status == 0 else { throw HostileSetupError("export-png failed: \(export.stderr)") }
        let classFolder = dir + "/png/train/" + (try fm.contentsOfDirectory(atPath: dir + "/png/train").sorted()[0])
        let valid = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pngSuite + "/" + validPNG)))
        switch damage {
        case .removeTest: try fm.removeItem(atPath: dir + "/png/test")
        case .emptyTrain:
            for name in try fm.contentsOfDirectory(atPath: dir + "/png/train") { try fm.removeItem(atPath: dir + "/png/train/" + name) }
        case .add(let suiteFile):
            try fm.copyItem(atPath: pngSuite + "/" + suiteFile, toPath: classFolder + "/" + (suiteFile as NSString).lastPathComponent)
        case .truncatedCopy: try write(Array(valid.prefix(valid.count / 2)), classFolder + "/cut.png")
        case .bitFlippedCopy:
            var b = valid
            b[b.count / 2] ^= 0x04
            try write(b, classFolder + "/flipped.png")
        case .textFile: try write(Array("not an image\n".utf8), classFolder + "/text.png")
        case .extraTestClass: try fm.createDirectory(atPath: dir + "/png/test/zz-extra", withIntermediateDirectories: false)
        case .largerTestImages:
            // Every test image replaced by PngSuite's 32x32 grey file: each folder is one size.
            for folder in try fm.contentsOfDirectory(atPath: dir + "/png/test") {
                for file in try fm.contentsOfDirectory(atPath: dir + "/png/test/" + folder) {
                    try write(valid, dir + "/png/test/" + folder + "/" + file)
                }
            }
        case .rgbModel:
            // A model trained on the same images converted to RGB.
            let train = try ExampleRunner.run("mnist-classifier", ["--data", "png:\(dir)/png", "--channels", "3", "--epochs", "1",
                                                                   "--model", "dense(8)|dense(10)", "--save", dir + "/png/rgb.safetensors"], timeout: 60)
            guard train.status == 0 else { throw HostileSetupError("training the RGB model failed: \(train.stderr)") }
        }
    }

    static func writeBad(_ file: HostileSetup.BadFile, in dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let valid = [UInt8](try Data(contentsOf: URL(fileURLWithPath: pngSuite + "/" + validPNG)))
        func safetensors(_ header: String, data: Int) -> [UInt8] {
            let h = Array(header.utf8)
            var n = UInt64(h.count)
            let length = withUnsafeBytes(of: &n) { Array($0) }   // little-endian on every supported platform
            return length + h + [UInt8](repeating: 0, count: data)
        }
        switch file {
        case .garbage: try write(Array("garbage, not a model".utf8), dir + "/garbage.safetensors")
        case .empty: try write([], dir + "/empty.png")
        case .shortTensor:
            try write(safetensors(#"{"w":{"dtype":"F32","shape":[4,4],"data_offsets":[0,64]}}"#, data: 8), dir + "/short.safetensors")
        case .plainSafetensors:
            try write(safetensors(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 8), dir + "/plain.safetensors")
        case .truncatedPNG: try write(Array(valid.prefix(valid.count / 2)), dir + "/cut.png")
        case .bitFlippedPNG:
            var b = valid
            b[b.count / 2] ^= 0x04
            try write(b, dir + "/flipped.png")
        }
    }
}

struct HostileSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
