import Foundation
import KilnData
import KilnLayers
import KilnTensor
import KilnTraining
import Testing
@testable import KilnEnsemble

/// An ensemble folder is untrusted input: the manifest's fields and the member files'
/// places are checked before any model is built.
@Suite struct ManifestValidationTests {
    static let good = #"{"format":"kiln-ensemble","version":1,"voting":"soft","input_shape":[4],"class_names":["a","b"],"members":[{"file":"m1.safetensors","model":"dense(2)"},{"file":"m2.safetensors","model":"dense(2)"}]}"#

    @Test func aGoodManifestPasses() throws {
        try Ensemble.checkManifest(Array(Self.good.utf8))
    }

    @Test(arguments: [
        ("format", #""format":"kiln-ensemble""#, #""format":"other""#),
        ("version", #""version":1"#, #""version":7"#),
        ("voting", #""voting":"soft""#, #""voting":"loud""#),
        ("input_shape", #""input_shape":[4]"#, #""input_shape":[0]"#),
        ("input_shape", #""input_shape":[4]"#, #""input_shape":[16777216,16777216]"#),
        ("class_names", #""class_names":["a","b"]"#, #""class_names":[]"#),
        ("plain name", #""file":"m1.safetensors""#, #""file":"../m1.safetensors""#),
        ("plain name", #""file":"m1.safetensors""#, #""file":"/etc/passwd""#),
        ("listed twice", #""file":"m2.safetensors""#, #""file":"m1.safetensors""#),
        ("weights", #""voting":"soft""#, #""voting":"soft","weights":[1]"#),
        ("out_of_bag", #""voting":"soft""#, #""voting":"soft","out_of_bag":{"correct":5,"counted":3,"population":9}"#),
        ("combiner", #""voting":"soft""#, #""voting":"soft","combiner":"../x.safetensors""#),
        ("malformed", #""members""#, #""memb""#),
    ])
    func eachFieldIsChecked(field: String, replace: String, with: String) {
        let text = Self.good.replacingOccurrences(of: replace, with: with)
        #expect(text != Self.good)
        #expect { try Ensemble.checkManifest(Array(text.utf8)) } throws: { "\($0)".contains(field) }
    }

    @Test func aMemberFileLinkedOutOfTheFolderIsRefused() async throws {
        let train = blobs(count: 60, seed: 1)
        let ensemble = try await Bagging(members: 2, seed: 1).fit(train: train, epochs: 1, parallelism: try Parallelism(members: 2, jobs: 1, threads: 1)) {
            try smallMember($0)
        }
        let dir = NSTemporaryDirectory() + "kiln-link-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: dir + "-outside.safetensors") }
        try ensemble.save(to: dir)
        try FileManager.default.moveItem(atPath: dir + "/member-01.safetensors", toPath: dir + "-outside.safetensors")
        try FileManager.default.createSymbolicLink(atPath: dir + "/member-01.safetensors", withDestinationPath: dir + "-outside.safetensors")
        #expect { _ = try Ensemble.load(from: dir) } throws: { "\($0)".contains("link out of the ensemble directory") }
    }
}
