import Foundation
import Testing

/// README and documentation-article code that a test compiles and runs. A README or a DocC
/// article (any `.md` file in a `*.docc` catalog) marks such a block with
///
///     <!-- snippet: Packages/Layers/Tests/KilnLayersTests/ReadmeExampleTests.swift#swish -->
///     ```swift
///     …
///     ```
///
/// and the named file holds the same lines between `// snippet swish` and `// end snippet`
/// (indentation removed). This test fails when the two drift apart or a marker names a
/// snippet that does not exist, so the README shows only code that builds and runs. In the
/// DocC articles every Swift block must be marked (`scripts/docs.sh` builds the site from
/// them; their code is compiled nowhere else).
@Suite struct ReadmeSnippetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every README of the repository (the root's and each package's).
    static var readmes: [String] {
        let packages = (try? FileManager.default.contentsOfDirectory(atPath: root.path + "/Packages")) ?? []
        return ["README.md"] + packages.sorted().map { "Packages/\($0)/README.md" }
            .filter { FileManager.default.fileExists(atPath: root.path + "/" + $0) }
    }

    /// Every Markdown file in a documentation catalog (`<Module>.docc`), under Packages/
    /// and Examples/, outside build folders (a nested package's `.build/checkouts` holds its
    /// dependencies' catalogs once `scripts/test-packages.sh` has run).
    static var articles: [String] {
        var found: [String] = []
        for top in ["Packages", "Examples"] {
            guard let walker = FileManager.default.enumerator(atPath: root.path + "/" + top) else { continue }
            while let path = walker.nextObject() as? String {
                let parts = path.split(separator: "/")
                if parts.last == ".build" { walker.skipDescendants(); continue }
                if path.hasSuffix(".md"), parts.dropLast().contains(where: { $0.hasSuffix(".docc") }) {
                    found.append(top + "/" + path)
                }
            }
        }
        return found.sorted()
    }

    struct Marked {
        var readme: String
        var file: String
        var name: String
        var code: [String]
    }

    /// The marked blocks of a file, and the line numbers (1-based) of its Swift blocks that
    /// no marker names.
    static func markedBlocks(in readme: String) throws -> [Marked] {
        try scan(readme).marked
    }

    static func scan(_ readme: String) throws -> (marked: [Marked], unmarked: [Int]) {
        let lines = try String(contentsOfFile: root.path + "/" + readme, encoding: .utf8).components(separatedBy: "\n")
        var blocks: [Marked] = []
        var unmarked: [Int] = []
        var i = 0
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            if lines[i].hasPrefix("```swift") {
                unmarked.append(i + 1)
                i += 1
                while i < lines.count, !lines[i].hasPrefix("```") { i += 1 }
            } else if line.hasPrefix("<!-- snippet: "), line.hasSuffix("-->") {
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
        return (blocks, unmarked)
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

    @Test func everySwiftBlockOfTheDocumentationArticlesIsTestedCode() throws {
        let articles = Self.articles
        #expect(articles.count >= 15, "only \(articles.count) Markdown files in the .docc catalogs")
        var checked = 0
        for article in articles {
            let (blocks, unmarked) = try Self.scan(article)
            for line in unmarked {
                Issue.record("\(article):\(line): a Swift block without a <!-- snippet: FILE#NAME --> marker (article code must be tested)")
            }
            for block in blocks {
                guard let tested = try? Self.snippet(block.name, in: block.file) else {
                    Issue.record("\(article): the snippet \(block.file)#\(block.name) does not exist")
                    continue
                }
                #expect(block.code == tested, "\(article): the block marked \(block.file)#\(block.name) differs from the tested code")
                checked += 1
            }
        }
        // Getting started, an optimizer, a layer, a transform, specs and registries, checkpoints.
        #expect(checked >= 8, "only \(checked) checked article blocks")
    }
}
