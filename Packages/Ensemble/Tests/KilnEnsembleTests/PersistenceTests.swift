import Foundation
import KilnData
import KilnLayers
import KilnTensor
import KilnTraining
import Testing
@testable import KilnEnsemble

@Suite struct PersistenceTests {
    let data = blobs(count: 50, seed: 3)

    /// Three untrained members (their weights differ by seed), with a BatchNorm layer so
    /// buffers travel too.
    func handMade() throws -> Ensemble {
        let members = try (0..<3).map { i -> Sequential in
            var rng = RandomGenerator(seed: UInt64(10 + i))
            let model = try Sequential.build(spec: "dense(6)|batchnorm|relu|dense(3)", inputShape: [8], rng: &rng)
            // Move BatchNorm's running statistics away from their defaults.
            _ = model.forward(data.inputs, training: true)
            return model
        }
        let ensemble = try Ensemble(members: members, inputShape: [8], classNames: data.classNames, voting: .hard, weights: [1, 2, 0.5])
        ensemble.bagging = try Bagging(members: 3, maxSamples: 0.75, bootstrap: true, seed: UInt64.max - 1)
        ensemble.outOfBag = OutOfBagScore(correct: 30, counted: 40, population: 50)
        return ensemble
    }

    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "kiln-ensemble-test-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func state(_ e: Ensemble) -> [[String: Tensor]] {
        e.members.map { m in Dictionary(uniqueKeysWithValues: (m.parameters + m.buffers).map { ($0.name, $0.value) }) }
    }

    @Test func roundTrip() throws {
        let dir = try temporaryDirectory()
        let original = try handMade()
        try original.save(to: dir + "/bagged")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/bagged").sorted()
        #expect(files == ["ensemble.json", "member-01.safetensors", "member-02.safetensors", "member-03.safetensors"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["bagged"], "no temporary directory left behind")

        let loaded = try Ensemble.load(from: dir + "/bagged/")
        #expect(state(loaded) == state(original))
        #expect(loaded.members.map(\.description) == original.members.map(\.description))
        #expect(loaded.voting == .hard)
        #expect(loaded.weights == [1, 2, 0.5])
        #expect(loaded.classNames == original.classNames)
        #expect(loaded.inputShape == [8])
        #expect(loaded.bagging == original.bagging, "the seed survives JSON as a string")
        #expect(loaded.outOfBag == original.outOfBag)
        #expect(loaded.predictProbabilities(data.inputs) == original.predictProbabilities(data.inputs))
        #expect(loaded.predict(data.inputs) == original.predict(data.inputs))

        // Each member file is an ordinary model file.
        let member = try SafeTensors(contentsOf: dir + "/bagged/member-02.safetensors")
        #expect(member.metadata["kiln.model"] == original.members[1].description)
        #expect(member.metadata["kiln.ensemble_member"] == "2")
    }

    /// Members with residual blocks (nested parameters and BatchNorm buffers, bias=false)
    /// save and load like any other.
    @Test func residualMembersRoundTrip() throws {
        let dir = try temporaryDirectory()
        let spec = "dense(6, bias=false)|batchnorm|relu|residual(dense(6)|batchnorm|relu|dense(6), shortcut=dense(6, bias=false))|relu|dense(3)"
        let members = try (0..<2).map { i -> Sequential in
            var rng = RandomGenerator(seed: UInt64(20 + i))
            let model = try Sequential.build(spec: spec, inputShape: [8], rng: &rng)
            _ = model.forward(data.inputs, training: true)
            return model
        }
        let original = try Ensemble(members: members, inputShape: [8], classNames: data.classNames)
        try original.save(to: dir + "/res")
        let loaded = try Ensemble.load(from: dir + "/res")
        #expect(state(loaded) == state(original))
        #expect(loaded.members.map(\.description) == original.members.map(\.description))
        #expect(loaded.predictProbabilities(data.inputs) == original.predictProbabilities(data.inputs))
    }

    @Test func savingReplacesAnExistingEnsembleWhole() throws {
        let dir = try temporaryDirectory()
        let first = try handMade()
        try first.save(to: dir + "/e")
        // A second, smaller ensemble replaces it: no member file of the first survives.
        let second = try Ensemble(members: [first.members[2]], inputShape: [8], classNames: data.classNames)
        try second.save(to: dir + "/e")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/e").sorted() == ["ensemble.json", "member-01.safetensors"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["e"])
        let loaded = try Ensemble.load(from: dir + "/e")
        #expect(loaded.members.count == 1 && loaded.voting == .soft && loaded.weights == nil && loaded.bagging == nil)
        #expect(state(loaded)[0] == state(first)[2])
    }

    @Test func neverReplacesSomethingElse() throws {
        let dir = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/photos", withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/photos/cat.png"))
        try Data("keep".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        let ensemble = try handMade()
        #expect(throws: EnsembleError.self) { try ensemble.save(to: dir + "/photos") }
        #expect(throws: EnsembleError.self) { try ensemble.save(to: dir + "/notes.txt") }
        #expect(throws: EnsembleError.self) { try ensemble.save(to: dir + "/no/such/parent/e") }
        #expect(FileManager.default.contents(atPath: dir + "/photos/cat.png") == Data("keep".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["notes.txt", "photos"])
    }

    @Test func loadErrorsNameTheProblem() throws {
        let dir = try temporaryDirectory()
        func message(_ path: String) -> String {
            do {
                _ = try Ensemble.load(from: path)
                return "loaded"
            } catch {
                return "\(error)"
            }
        }
        #expect(message(dir + "/missing").contains("no such directory"))
        try Data().write(to: URL(fileURLWithPath: dir + "/file"))
        #expect(message(dir + "/file").contains("not a directory"))
        #expect(message(dir).contains("no readable ensemble.json"))

        try handMade().save(to: dir + "/e")
        let manifest = dir + "/e/ensemble.json"
        let good = try String(contentsOfFile: manifest, encoding: .utf8)
        func withManifest(_ text: String) throws -> String {
            try text.write(toFile: manifest, atomically: true, encoding: .utf8)
            return message(dir + "/e")
        }
        #expect(try withManifest("{not json").contains("malformed"))
        #expect(try withManifest(good.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 9")).contains("version 9"))
        #expect(try withManifest(good.replacingOccurrences(of: "\"voting\" : \"hard\"", with: "\"voting\" : \"loud\"")).contains("unknown voting 'loud'"))
        #expect(try withManifest(good.replacingOccurrences(of: "member-02.safetensors", with: "../member-02.safetensors")).contains("plain name"))
        #expect(try withManifest(good.replacingOccurrences(of: "\"voting\"", with: "\"vote\"")).contains("missing key 'voting'"))
        #expect(try withManifest(good.replacingOccurrences(of: "\"weights\" : [\n    1,\n    2,\n    0.5\n  ]", with: "\"weights\" : [1, 2]")).contains("weights"))
        _ = try withManifest(good)
        #expect(message(dir + "/e") == "loaded")
        try FileManager.default.removeItem(atPath: dir + "/e/member-03.safetensors")
        #expect(message(dir + "/e").contains("member 3"))
    }

    @Test func membersMustFitTheEnsemble() throws {
        var rng = RandomGenerator(seed: 1)
        let a = try Sequential.build(spec: "dense(3)", inputShape: [8], rng: &rng)
        let b = try Sequential.build(spec: "dense(4)", inputShape: [8], rng: &rng)
        #expect(throws: EnsembleError.self) { try Ensemble(members: [a, b], inputShape: [8], classNames: ["a", "b", "c"]) }
        #expect(throws: EnsembleError.self) { try Ensemble(members: [], inputShape: [8], classNames: ["a", "b", "c"]) }
        #expect(throws: EnsembleError.self) { try Ensemble(members: [a], inputShape: [8], classNames: ["a", "b", "c"], weights: [-1]) }
    }
}
