import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Contracts of the smaller examples: they run with no arguments, and bad input is one
/// line on stderr with exit 64 and no output file.
@Suite struct OtherExamplesTests {
    /// `--threads` defaults to the process's CPU affinity mask (sched_getaffinity): one
    /// core under `taskset -c 0`, every online core otherwise.
    @Test func threadsDefaultToTheAffinityMask() throws {
        func threads(_ launcher: [String]) throws -> Int {
            let result = try ExampleRunner.run("kiln-bench", ["gemm", "--sizes", "64", "--samples", "1", "--json"], timeout: 60, launcher: launcher)
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.stdout.split(separator: "\n").first)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require((object["threads"] as? NSNumber)?.intValue)
        }
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        #expect(try threads([]) == Int(online))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset") {
            #expect(try threads(["/usr/bin/taskset", "-c", "0"]) == 1)
        }
    }

    @Test func trajectoriesAcceptNegativeStartInBothForms() throws {
        for start in [["--start", "-7,2"], ["--start=-7,2"]] {
            let r = try ExampleRunner.run("optimizer-trajectories",
                                          ["--function", "quadratic", "--steps", "3", "--optimizer", "sgd(lr=0.95)"] + start)
            #expect(r.status == 0, "\(start): \(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.first == "optimizer,function,step,x,y,loss")
            #expect(lines.count == 5)
            #expect(lines[1].contains(",0,-7.0,2.0,"), "step 0 is the start: \(lines[1])")
        }
    }

    @Test(arguments: [
        ["--optimizer", "sgdd(lr=1)"], ["--optimizer", "sgd(lr="], ["--start", "1,2,3"], ["--function", "bowl"],
    ])
    func trajectoriesUsageErrors(arguments: [String]) throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let r = try ExampleRunner.run("optimizer-trajectories", arguments + ["--svg", dir + "/out.svg", "--csv", dir + "/out.csv"])
        #expect(r.status == 64, "\(arguments): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "no output file written")
    }

    @Test func trajectoriesPresetWritesWellFormedSVGs() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        let r = try ExampleRunner.run("optimizer-trajectories", ["--preset", "classic", "--svg", dir + "/fig", "--csv", dir + "/paths.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["fig-quadratic.svg", "fig-elongated.svg"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
            #expect(XMLParser(data: data).parse(), "\(name) is XML")
        }
    }

    @Test func customOptimizerTrainsByName() throws {
        let r = try ExampleRunner.run("custom-optimizer", [])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("sign-sgd"))
    }

    @Test func gradientCheckPasses() throws {
        let r = try ExampleRunner.run("gradient-check", [])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let failing = try ExampleRunner.run("gradient-check", ["--threshold", "1e-9"])
        #expect(failing.status == 1, "a threshold nothing meets fails")
    }
}
