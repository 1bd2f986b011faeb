import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The ensembles of the course notes beyond bagging's vote: `boosting-ensemble` (SAMME),
/// `bagging-ensemble --voting stacking` (a learned combiner) and `--model` given several
/// times (mixed members).
@Suite(.serialized) struct BoostingAndStackingTests {
    static let small = ["--limit", "2000", "--dev-size", "300"]
    static let mlp = "dense(16)|relu|dense(10)"
    static let cnn = "conv(4, kernel=3, padding=1)|relu|maxpool(2)|flatten|dense(10)"

    @Test(arguments: [
        ["--members", "0"], ["--members", "x"], ["--shrinkage", "0"], ["--shrinkage", "1.5"],
        ["--load", "a", "--save", "b"], ["--load", "a", "--plot", "p.svg"],
        ["--model", "dense(8)|dense(10)", "--model", "dense(4)|dense(10)"], ["--distributed", "mpi"], ["--epochs", "0"],
    ])
    func boostingUsageErrorsExit64(arguments: [String]) throws {
        let result = try ExampleRunner.run("boosting-ensemble", arguments, timeout: 30)
        #expect(result.status == 64, "\(arguments): status \(result.status), stderr: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.hasPrefix("boosting-ensemble: error: "))
    }

    @Test func boostingTrainsSavesLoadsAndPlots() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let result = try ExampleRunner.run("boosting-ensemble", Self.small + [
            "--model", Self.mlp, "--epochs", "4", "--members", "3", "--json", "--save", dir + "/boosted", "--plot", dir + "/boost.svg",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        let members = (summary["members"] as! [NSNumber]).map(\.doubleValue)
        let weights = (summary["member_weights"] as! [NSNumber]).map(\.doubleValue)
        let errors = (summary["member_errors"] as! [NSNumber]).map(\.doubleValue)
        #expect(!members.isEmpty && members.count == weights.count && weights.count == errors.count)
        for (w, e) in zip(weights, errors) {
            // alpha = 0.5 (the default shrinkage) x (log((1 - err)/err) + log(9)).
            #expect(abs(w - 0.5 * (log((1 - e) / e) + log(9))) < 1e-9)
        }
        let accuracy = (summary["ensemble_accuracy"] as! NSNumber).doubleValue
        #expect(accuracy > 0.5)
        let loaded = try ExampleRunner.run("boosting-ensemble", ["--load", dir + "/boosted", "--json"], timeout: 120)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let again = try JSONSerialization.jsonObject(with: Data(loaded.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((again["ensemble_accuracy"] as! NSNumber).doubleValue == accuracy)
        #expect((again["member_weights"] as! [NSNumber]).map(\.doubleValue) == weights)
        let svg = try String(contentsOfFile: dir + "/boost.svg", encoding: .utf8)
        #expect(svg.contains("boosting, test") && svg.contains("bagging, test"))
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "the SVG is well-formed XML")
    }

    @Test func stackingIsReportedBesideTheVotesAndSaved() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let result = try ExampleRunner.run("bagging-ensemble", Self.small + [
            "--model", Self.mlp, "--epochs", "1", "--members", "3", "--voting", "stacking", "--json", "--save", dir + "/stacked",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        for key in ["soft_accuracy", "hard_accuracy", "stacking_accuracy"] { #expect(summary[key] != nil, "missing \(key)") }
        #expect(summary["voting"] as? String == "stacking")
        let stacking = (summary["stacking_accuracy"] as! NSNumber).doubleValue
        #expect(stacking == (summary["ensemble_accuracy"] as! NSNumber).doubleValue)
        #expect(FileManager.default.fileExists(atPath: dir + "/stacked/combiner.safetensors"))
        var loaded = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/stacked", "--json"], timeout: 120)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        var again = try JSONSerialization.jsonObject(with: Data(loaded.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((again["ensemble_accuracy"] as! NSNumber).doubleValue == stacking && again["voting"] as? String == "stacking")
        loaded = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/stacked", "--voting", "soft", "--json"], timeout: 120)
        again = try JSONSerialization.jsonObject(with: Data(loaded.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((again["ensemble_accuracy"] as! NSNumber).doubleValue == (summary["soft_accuracy"] as! NSNumber).doubleValue)
        // A combiner file that does not fit the members: one line, exit 1, naming it.
        try FileManager.default.copyItem(atPath: dir + "/stacked/member-01.safetensors", toPath: dir + "/member.safetensors")
        try FileManager.default.removeItem(atPath: dir + "/stacked/combiner.safetensors")
        try FileManager.default.copyItem(atPath: dir + "/member.safetensors", toPath: dir + "/stacked/combiner.safetensors")
        let bad = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/stacked"], timeout: 60)
        #expect(bad.status == 1 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("combiner.safetensors"), "\(bad.stderr)")
        // Stacking needs a combiner: an ensemble saved without one says so.
        let soft = try ExampleRunner.run("bagging-ensemble", Self.small + ["--model", Self.mlp, "--epochs", "1", "--members", "2", "--save", dir + "/soft"], timeout: 300)
        #expect(soft.status == 0, "\(soft.stderr)")
        let none = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/soft", "--voting", "stacking"], timeout: 60)
        #expect(none.status == 1 && none.stderr.contains("no combiner"), "\(none.stderr)")
        let member = try ExampleRunner.run("bagging-ensemble", ["--member", "0", "--save", dir + "/a", "--voting", "stacking"], timeout: 30)
        #expect(member.status == 64, "\(member.stderr)")
    }

    @Test func mixedMembersCycleThroughTheModels() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let result = try ExampleRunner.run("bagging-ensemble", Self.small + [
            "--model", Self.mlp, "--model", Self.cnn, "--epochs", "1", "--members", "3", "--json", "--save", dir + "/mixed",
        ], timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        let models = summary["member_models"] as! [String]
        #expect(models.count == 3 && models[0].hasPrefix("dense(16") && models[1].hasPrefix("conv(4") && models[2].hasPrefix("dense(16"))
        #expect((summary["model_accuracies"] as! [NSNumber]).count == 2)
        let loaded = try ExampleRunner.run("bagging-ensemble", ["--load", dir + "/mixed", "--json"], timeout: 120)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        let again = try JSONSerialization.jsonObject(with: Data(loaded.stdout.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((again["ensemble_accuracy"] as! NSNumber).doubleValue == (summary["ensemble_accuracy"] as! NSNumber).doubleValue)
        // One model at a time elsewhere; a spec that does not fit the shared input is named.
        let twice = try ExampleRunner.run("mnist-classifier", ["--model", Self.mlp, "--model", Self.cnn], timeout: 30)
        #expect(twice.status == 64 && twice.stderr.contains("bagging-ensemble mixes"), "\(twice.stderr)")
        let misfit = try ExampleRunner.run("bagging-ensemble", Self.small + ["--model", Self.mlp, "--model", "conv(4, kernel=40)|flatten|dense(10)"], timeout: 60)
        #expect(misfit.status == 1 && misfit.stderr.split(separator: "\n").count == 1 && misfit.stderr.contains("kernel=40"), "\(misfit.stderr)")
    }
}
