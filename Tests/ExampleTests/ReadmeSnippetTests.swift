import Foundation
import Testing

/// README code that a test compiles and runs. A README marks such a block with
///
///     <!-- snippet: Packages/Layers/Tests/KilnLayersTests/ReadmeExampleTests.swift#swish -->
///     ```swift
///     …
///     ```
///
/// and the named file holds the same lines between `// snippet swish` and `// end snippet`
/// (indentation removed). This test fails when the two drift apart or a marker names a
/// snippet that does not exist, so the README shows only code that builds and runs.
@Suite struct ReadmeSnippetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every README of the repository (the root's and each package's).
    static var readmes: [String] {
        let packages = (try? FileManager.default.contentsOfDirectory(atPath: root.path + "/Packages")) ?? []
        return ["README.md"] + packages.sorted().map { "Packages/\($0)/README.md" }
            .filter { FileManager.default.fileExists(atPath: root.path + "/" + $0) }
    }

    struct Marked {
        var readme: String
        var file: String
        var name: String
        var code: [String]
    }

    static func markedBlocks(in readme: String) throws -> [Marked] {
        let lines = try String(contentsOfFile: root.path + "/" + readme, encoding: .utf8).components(separatedBy: "\n")
        var blocks: [Marked] = []
        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("<!-- snippet: "), line.hasSuffix("-->") {
                let reference = line.dropFirst("<!-- snippet: ".count).dropLast(3).trimmingCharacters(in: .whitespaces)
                let parts = reference.split(separator: "#", maxSplits: 1).map(String.init)
                var code: [String] = []
                var j = i + 1
                if j < lines.count, lines[j].hasPrefix("```swift") {
                    j += 1
                    while j < lines.count, !lines[j].hasPrefix("```") { code.append(lines[j]); j += 1 }
                }
                blocks.append(Marked(readme: readme, file: parts[0], name: parts.count > 1 ? parts[1] : "", code: code))
                i = j
            }
            i += 1
        }
        return blocks
    }

    /// The lines of snippet `name` in `file`, without their common indentation.
    static func snippet(_ name: String, in file: String) throws -> [String]? {
        let lines = try String(contentsOfFile: root.path + "/" + file, encoding: .utf8).components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// snippet \(name)" }),
              let end = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// end snippet" }) else { return nil }
        let body = Array(lines[(start + 1)..<end])
        let indent = body.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return body.map { $0.count >= indent ? String($0.dropFirst(indent)) : $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func markedReadmeBlocksAreTheTestedCode() throws {
        var checked = 0
        for readme in Self.readmes {
            for block in try Self.markedBlocks(in: readme) {
                guard let tested = try? Self.snippet(block.name, in: block.file) else {
                    Issue.record("\(readme): the snippet \(block.file)#\(block.name) does not exist")
                    continue
                }
                #expect(block.code == tested, "\(readme): the block marked \(block.file)#\(block.name) differs from the tested code")
                checked += 1
            }
        }
        // The READMEs that promise tested examples have them.
        #expect(checked >= 8, "only \(checked) checked README blocks")
    }
}
