import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The `bagging-ensemble` contract: the mnist-classifier flags plus --members,
/// --max-samples, --voting, --jobs, --save/--load DIR and --plot; usage errors exit 64 with
/// one stderr line; --json ends with the summary object; --jobs does not change the ensemble.
@Suite(.serialized) struct BaggingEnsembleTests {
    /// A constant rate and the plain loss (not the default recipe's schedule and label
    /// smoothing): the accuracy and agreement bounds below were set for them.
    static let small = ["--limit", "1500", "--dev-size", "300", "--model", "dense(32)|relu|dense(10)",
                        "--schedule", "constant", "--loss", "softmax-ce"]

    @Test(arguments: [
        ["--members", "0"],
        ["--members", "-2"],
        ["--members", "many"],
        ["--max-samples", "0"],
        ["--max-samples", "1.5"],
        ["--max-samples", "-0.2"],
        ["--max-samples", "nan"],
        ["--voting", "loud"],
        ["--voting", ""],
        ["--jobs", "0"],
        ["--load", "a", "--save", "b"],
        ["--load", "a", "--plot", "p.svg"],
        ["--load", ""],
        ["--epochs", "0"],
        ["--model", "dense(256"],
        ["--optimizer", "adamm"],
        ["--no-such-flag"],
    ])
    func usageErrorsExit64(arguments: [String]) throws {
        let result = try ExampleRunner.run("bagging-ensemble", arguments, timeout: 30)
        #expect(result.status == 64, "\(arguments): status \(result.status), stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): expected one line, got: \(result.stderr)")
        #expect(result.stderr.hasPrefix("bagging-ensemble: error: "))
        #expect(result.stdout.isEmpty)
    }

    @Test func usageErrorsSayWhatIsValid() throws {
        var result = try ExampleRunner.run("bagging-ensemble", ["--voting", "loud"], timeout: 30)
        #expect(result.stderr.contains("soft, hard or stacking"))
        result = try ExampleRunner.run("bagging-ensemble", ["--max-samples", "2"], timeout: 30)
        #expect(result.stderr.contains("(0, 1]"))
    }

    @Test func helpListsEveryFlag() throws {
        let result = try ExampleRunner.run("bagging-ensemble", ["--help"], timeout: 30)
        #expect(result.status == 0)
        for flag in ["--data", "--model", "--optimizer", "--schedule", "--regularizer", "--early-stopping", "--augment",
                     "--epochs", "--batch-size", "--seed", "--threads", "--dev-size", "--limit", "--json", "--history",
                     "--members", "--max-samples", "--no-bootstrap", "--voting", "--jobs", "--save", "--load", "--plot"] {
            #expect(result.stdout.contains(flag), "--help lacks \(flag)")
        }
    }

    @Test func runtimeErrorsExit1() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        var result = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/nothing"], timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("no such directory") && result.stderr.split(separator: "\n").count == 1)
        // Output folders are checked before training.
        result = try ExampleRunner.run("bagging-ensemble", Self.small + ["--save", dir + "/missing/parent/e"], timeout: 30)
        #expect(result.status == 1 && result.stderr.contains("does not exist"), "\(result.stderr)")
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
        result = try ExampleRunner.run("bagging-ensemble", Self.small + ["--save", dir + "/file"], timeout: 30)
        #expect(result.status == 1 && result.stderr.contains("not a Kiln ensemble directory"), "\(result.stderr)")
        result = try ExampleRunner.run("bagging-ensemble", Self.small + ["--plot", dir + "/missing/p.svg"], timeout: 30)
        #expect(result.status == 1, "\(result.stderr)")
        result = try ExampleRunner.run("bagging-ensemble", ["--data", "idx:\(dir)/nothing-here"], timeout: 30)
        #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func smallRunPrintsJSONSavesLoadsAndPlots() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let result = try ExampleRunner.run("bagging-ensemble", Self.small + [
            "--epochs", "2", "--members", "3", "--json", "--save", dir + "/bagged", "--plot", dir + "/curves.svg",
            "--history", dir + "/history.csv",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 7, "3 members x 2 epochs and a summary: \(result.stdout)")
        let epochLines = try lines.dropLast().map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(Set(epochLines.map { ($0["member"] as! NSNumber).intValue }) == [1, 2, 3])
        #expect(epochLines.allSatisfy { $0["train_loss"] != nil && $0["dev_accuracy"] != nil })
        let summary = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        for key in ["members", "mean_member_accuracy", "ensemble_accuracy", "oob_accuracy", "agreement", "train_seconds", "test_accuracy"] {
            #expect(summary[key] != nil, "missing \(key)")
        }
        let members = (summary["members"] as! [NSNumber]).map(\.doubleValue)
        #expect(members.count == 3)
        #expect(members.allSatisfy { $0 > 0.35 && $0 < 1 }, "well above chance (0.1) after 2 small epochs: \(members)")
        let mean = (summary["mean_member_accuracy"] as! NSNumber).doubleValue
        #expect(abs(mean - members.reduce(0, +) / 3) < 1e-9)
        let ensemble = (summary["ensemble_accuracy"] as! NSNumber).doubleValue
        #expect(ensemble > 0.4)
        let oob = (summary["oob_accuracy"] as! NSNumber).doubleValue
        #expect(oob > 0.35 && oob <= 1)
        let agreement = (summary["agreement"] as! NSNumber).doubleValue
        #expect(agreement > 0.5 && agreement <= 1)

        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/bagged").sorted()
        #expect(files == ["ensemble.json", "member-01.safetensors", "member-02.safetensors", "member-03.safetensors"])
        let loaded = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/bagged", "--json"], timeout: 120)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let again = try JSONSerialization.jsonObject(with: Data(loaded.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((again["ensemble_accuracy"] as! NSNumber).doubleValue == ensemble, "the saved ensemble scores the same")
        #expect((again["members"] as! [NSNumber]).map(\.doubleValue) == members)

        let svg = try String(contentsOfFile: dir + "/curves.svg", encoding: .utf8)
        #expect(svg.contains("dev loss") && svg.contains("train accuracy"))
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "the SVG is well-formed XML")
        let csv = try String(contentsOfFile: dir + "/history.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.first?.hasPrefix("member,epoch,train_loss") == true)
        #expect(csv.count == 7)
    }

    /// Without --dev-size, bagging holds out no dev split: the members train on every image,
    /// the table and the JSON give each member's out-of-bag accuracy, the diagnosis uses the
    /// out-of-bag vote, and a member with --early-stopping watches its own out-of-bag images.
    @Test func noDevSplitByDefaultOutOfBagInstead() throws {
        let base = ["--limit", "1500", "--model", "dense(32)|relu|dense(10)", "--schedule", "constant", "--loss", "softmax-ce",
                    "--epochs", "2", "--members", "3", "--jobs", "1"]
        let text = try ExampleRunner.run("bagging-ensemble", base, timeout: 300)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("1500 train, 0 dev, "), "\(text.stdout)")
        #expect(text.stdout.contains("member  sample  unique   oob acc   dev acc  test acc  seconds"))
        #expect(text.stdout.contains("1500 images drawn with replacement"))
        #expect(text.stdout.contains("(no dev split: the out-of-bag accuracy stands in for the dev accuracy)"))
        #expect(text.stdout.contains("bias/variance diagnosis"))

        let json = try ExampleRunner.run("bagging-ensemble", base + ["--json", "--early-stopping", "patience=5, restore_best=false"], timeout: 300)
        #expect(json.status == 0, "\(json.stderr)")
        let lines = json.stdout.split(separator: "\n").map(String.init)
        let epochLines = try lines.dropLast().map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(epochLines.count == 6)
        let summary = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        let outOfBag = (summary["member_oob_accuracies"] as! [NSNumber]).map(\.doubleValue)
        #expect(outOfBag.count == 3 && outOfBag.allSatisfy { $0 > 0.35 && $0 <= 1 }, "\(outOfBag)")
        // Each member's last dev accuracy is its out-of-bag accuracy (the same model, the same images).
        for m in 1...3 {
            let last = try #require(epochLines.last { ($0["member"] as! NSNumber).intValue == m })
            let dev = try #require(last["dev_accuracy"] as? NSNumber, "member \(m) watches its out-of-bag images").doubleValue
            #expect(abs(dev - outOfBag[m - 1]) < 1e-9)
        }
        #expect(summary["dev_error"] != nil && summary["train_error"] != nil)
    }

    /// Same seed, same ensemble whatever --jobs, and as job-array tasks (`--member K`, each
    /// of which says in its log that it trains one member with every thread): the member
    /// files are byte-identical.
    @Test func jobsDoNotChangeTheEnsemble() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let run = Self.small + ["--model", "dense(64)|relu|dense(10)", "--epochs", "1", "--members", "3", "--seed", "5"]
        var summaries: [String] = []
        for jobs in ["1", "2"] {
            let result = try ExampleRunner.run("bagging-ensemble", run + ["--jobs", jobs, "--save", dir + "/jobs" + jobs, "--json"], timeout: 300)
            #expect(result.status == 0, "\(result.stderr)")
            summaries.append(String(result.stdout.split(separator: "\n").last ?? ""))
        }
        for k in 0..<3 {
            let task = try ExampleRunner.run("bagging-ensemble", run + ["--member", "\(k)", "--threads", "2", "--save", dir + "/array"], timeout: 300)
            #expect(task.status == 0, "\(task.stderr)")
            #expect(task.stdout.contains("this task trains member \(k) (0-based) alone, 2 threads"), "\(task.stdout)")
        }
        for member in ["member-01", "member-02", "member-03"] {
            let one = FileManager.default.contents(atPath: dir + "/jobs1/\(member).safetensors")
            let two = FileManager.default.contents(atPath: dir + "/jobs2/\(member).safetensors")
            let task = FileManager.default.contents(atPath: dir + "/array/\(member).safetensors")
            #expect(one != nil && one == two, "\(member) differs between --jobs 1 and --jobs 2")
            #expect(one != nil && one == task, "\(member) differs between --jobs 1 and its job-array task")
        }
        func accuracy(_ line: String) throws -> Double {
            ((try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["ensemble_accuracy"] as! NSNumber).doubleValue
        }
        #expect(try accuracy(summaries[0]) == accuracy(summaries[1]))
    }

    @Test func hardVotingAndHalfSamples() throws {
        let result = try ExampleRunner.run("bagging-ensemble", Self.small + [
            "--epochs", "1", "--members", "3", "--voting", "hard", "--max-samples", "0.5", "--json",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect(summary["voting"] as? String == "hard")
        #expect((summary["ensemble_accuracy"] as! NSNumber).doubleValue > 0.3)
        // Half-size samples leave about 1 - e^-0.5 = 39% of the images in each bag, so
        // 1200 training images give nearly every one an out-of-bag member.
        #expect((summary["oob_counted"] as! NSNumber).intValue > 1000)
    }

    /// A CNN spec with augmentation: every member wraps its own bootstrap sample.
    @Test func imageModelWithAugmentation() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let result = try ExampleRunner.run("bagging-ensemble", [
            "--limit", "1000", "--dev-size", "200", "--epochs", "1", "--members", "2", "--model", "conv(4,kernel=3,padding=1)|relu|maxpool(2)|flatten|dense(10)",
            "--augment", "random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)", "--json", "--save", dir + "/cnn",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((summary["members"] as! [NSNumber]).count == 2)
        let loaded = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/cnn", "--json"], timeout: 120)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let again = try JSONSerialization.jsonObject(with: Data(loaded.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((again["ensemble_accuracy"] as! NSNumber).doubleValue == (summary["ensemble_accuracy"] as! NSNumber).doubleValue)
    }
}
