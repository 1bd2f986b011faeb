import Foundation
import Testing
import KilnTensor
@testable import KilnTraining

@Suite struct SearchSpaceTests {
    static let issueSpec = "lr=log(1e-4, 1e-1), l2=log(1e-6, 1e-2), hidden=choice(64, 128, 256)"

    @Test func parsesTheIssueSpec() throws {
        let space = try SearchSpace(parsing: Self.issueSpec)
        #expect(space.names == ["lr", "l2", "hidden"])
        #expect(space.dimensions[0].distribution == .logUniform(1e-4, 1e-1))
        #expect(space.dimensions[1].distribution == .logUniform(1e-6, 1e-2))
        #expect(space.dimensions[2].distribution == .choice([.integer(64), .integer(128), .integer(256)]))
        // The description parses back to the same space.
        #expect(try SearchSpace(parsing: space.description) == space)
        // Each dimension's name column, for messages about a dimension.
        #expect(space.columns == [1, 21, 41])
        #expect(space.column(of: "hidden") == 41 && space.column(of: "dropout") == nil)
    }

    @Test func parsesEveryDistribution() throws {
        let space = try SearchSpace(parsing: " dropout = uniform(0, 0.5) ,layers=int(1,3), act=choice(relu, tanh), m=choice(0.9, 0.99)")
        #expect(space.dimensions.map(\.distribution) == [
            .uniform(0, 0.5), .integer(1, 3), .choice([.word("relu"), .word("tanh")]), .choice([.number(0.9), .number(0.99)]),
        ])
        #expect(try SearchSpace(parsing: space.description) == space)
    }

    /// Malformed specs name the column (1-based) and what is wrong.
    @Test(arguments: [
        ("", 1, "empty search space"),
        ("lr", 3, "expected '='"),
        ("lr=logg(1e-4, 1e-1)", 4, "unknown distribution 'logg'"),
        ("lr=log(1e-4, 1e-1", 18, "expected ',' or ')'"),
        ("lr=log(0, 1)", 8, "log bounds must be positive"),
        ("lr=log(1e-1, 1e-4)", 14, "needs low < high"),
        ("lr=log(1e-4)", 4, "takes two bounds"),
        ("lr=log(1e-4, 1e-1) l2=log(1e-6, 1e-2)", 20, "expected ','"),
        // Syntax errors are KilnRegistry's Spec errors now, in its words.
        ("lr=log(1e-4, 1e-1), lr=log(1e-3, 1)", 21, "duplicate argument 'lr'"),
        ("hidden=choice()", 8, "at least one value"),
        ("hidden=choice(64, 64)", 19, "lists 64 twice"),
        ("n=int(1.5, 3)", 7, "must be integers"),
        ("n=int(5, 3)", 10, "low <= high"),
        ("d=uniform(a, 1)", 11, "must be numbers"),
        ("d=uniform(0, 1e400)", 14, "not a number"),
        ("lr=log(1e-4, 1e-1),", 20, "expected a value, found the end of the text"),
        ("x=choice(inf)", 10, "finite number"),
        ("x=choice(1, -inf)", 13, "finite number"),
        ("x=choice(relu, NaN)", 16, "finite number"),
        ("x=uniform(0, Infinity)", 14, "finite number"),
        ("log(1e-4, 1e-1)", 1, "expected a hyper-parameter name before 'log(1e-4, 1e-1)'"),
        ("lr=0.1", 4, "expected log, uniform, int or choice, found '0.1'"),
        ("lr=x|y", 4, "expected log, uniform, int or choice, found 'x|y'"),
        ("lr=log", 7, "expected '(' after 'log'"),
        ("lr=logg", 4, "unknown distribution 'logg'"),
        ("lr=log(low=1e-4, high=1e-1)", 8, "log takes its values in order, without names; got 'low='"),
        ("x=choice(1, log(1, 2))", 13, "expected a number or a word, found 'log(1, 2)'"),
        ("d=uniform(0, \"1\")", 14, "must be numbers, got '1'"),
        ("hidden=choice(64, 64.0, 64)", 25, "lists 64 twice"),
        ("x=choice(a, \"a\")", 13, "lists a twice"),
    ])
    func malformedSpecsNameTheColumn(text: String, column: Int, message: String) {
        do {
            _ = try SearchSpace(parsing: text)
            Issue.record("\"\(text)\" parsed")
        } catch {
            #expect(error.column == column, "\"\(text)\": \(error)")
            #expect(error.message.contains(message), "\"\(text)\": \(error)")
            #expect(!"\(error)".contains("\n"))
        }
    }

    /// The text is a KilnRegistry spec argument list, so it follows Spec's grammar where
    /// the old hand-written parser differed: `+` belongs to names and words, a quoted
    /// string is a word, `true`/`false` are words. An integer is a number written as one.
    @Test func followsTheSpecGrammar() throws {
        let space = try SearchSpace(parsing: #"act+bn=choice(relu, relu+bn, "two words", true), n=choice(64, 64.0, 1e3, +8, -0)"#)
        #expect(space.names == ["act+bn", "n"])
        #expect(space.columns == [1, 50])
        #expect(space.dimensions[0].distribution == .choice([.word("relu"), .word("relu+bn"), .word("two words"), .word("true")]))
        #expect(space.dimensions[1].distribution == .choice([.integer(64), .number(64), .number(1000), .integer(8), .integer(0)]))
        // Words print bare when they read back as the same word, quoted otherwise; whole
        // numbers that are not integers keep a `.0`. So the description parses back to the
        // same space.
        #expect(space.description == #"act+bn=choice(relu, relu+bn, "two words", true), n=choice(64, 64.0, 1000.0, 8, 0)"#)
        #expect(try SearchSpace(parsing: space.description) == space)
    }

    /// A choice's numbers print with the requested digits (all of them in the description,
    /// which parses back to the same values).
    @Test func choiceNumbersRoundTrip() throws {
        let space = try SearchSpace(parsing: "m=choice(0.123456789, 0.9), x=choice(1e20, 2.5e-7)")
        #expect(try SearchSpace(parsing: space.description) == space)
        #expect(space.formatted() == "m=choice(0.1235, 0.9), x=choice(1e+20, 2.5e-07)")
    }

    /// Log-uniform sampling gives every decade the same share: about a third of 30,000
    /// samples from log(1e-4, 1e-1) in each of [1e-4, 1e-3), [1e-3, 1e-2), [1e-2, 1e-1]
    /// (uniform sampling would put 90% in the top decade).
    @Test func logUniformCoversEachDecadeEvenly() throws {
        let space = try SearchSpace(parsing: "lr=log(1e-4, 1e-1)")
        var rng = RandomGenerator(seed: 7)
        var decades = [0, 0, 0]
        let n = 30_000
        for _ in 0..<n {
            let lr = space.sample(using: &rng)["lr"]!.double!
            #expect(lr >= 1e-4 && lr <= 1e-1)
            decades[min(2, Int((log10(lr) + 4).rounded(.down)))] += 1
        }
        for count in decades {
            #expect(abs(Double(count) / Double(n) - 1.0 / 3) < 0.015, "decade shares \(decades)")
        }
        // Finer: each tenth of a decade also gets its share (no lumps inside a decade).
        var tenths = [Int](repeating: 0, count: 30)
        for _ in 0..<n { tenths[min(29, Int(((log10(space.sample(using: &rng)["lr"]!.double!) + 4) * 10).rounded(.down)))] += 1 }
        #expect(tenths.allSatisfy { abs(Double($0) / Double(n) - 1.0 / 30) < 0.006 }, "\(tenths)")
    }

    @Test func otherDistributionsSampleTheirWholeRange() throws {
        let space = try SearchSpace(parsing: "d=uniform(0.1, 0.5), n=int(1, 4), a=choice(relu, tanh, elu)")
        var rng = RandomGenerator(seed: 3)
        var dSum = 0.0
        var ints = Set<Int>(), words = Set<String>()
        for _ in 0..<4000 {
            let c = space.sample(using: &rng)
            let d = c["d"]!.double!
            #expect(d >= 0.1 && d <= 0.5)
            dSum += d
            guard case .integer(let k) = c["n"]!, case .word(let w) = c["a"]! else { Issue.record("types: \(c)"); return }
            ints.insert(k)
            words.insert(w)
        }
        #expect(abs(dSum / 4000 - 0.3) < 0.01)
        #expect(ints == [1, 2, 3, 4])
        #expect(words == ["relu", "tanh", "elu"])
    }

    @Test func samplingIsSeeded() throws {
        let space = try SearchSpace(parsing: Self.issueSpec)
        var a = RandomGenerator(seed: 11), b = RandomGenerator(seed: 11), c = RandomGenerator(seed: 12)
        #expect(space.samples(20, using: &a) == space.samples(20, using: &b))
        var a2 = RandomGenerator(seed: 11)
        #expect(space.samples(20, using: &a2) != space.samples(20, using: &c))
    }

    /// A budget of 27 over two log axes and three choices is a 3 x 3 x 3 grid at the
    /// centres of the log cells: lr in {10^-3.5, 10^-2.5, 10^-1.5}.
    @Test func gridSharesTheBudget() throws {
        let space = try SearchSpace(parsing: Self.issueSpec)
        #expect(space.gridPointsPerAxis(budget: 27) == 3)
        #expect(space.gridPointsPerAxis(budget: 26) == 2)
        #expect(space.gridPointsPerAxis(budget: 2) == 1)
        // Many axes and a huge budget: k^axes that overflows does not fit (no wrap-around).
        let wide = try SearchSpace(parsing: (1...20).map { "x\($0)=uniform(0, 1)" }.joined(separator: ", "))
        #expect(wide.gridPointsPerAxis(budget: Int.max) == 8)  // 8^20 < 2^63 <= 9^20
        #expect(wide.gridPointsPerAxis(budget: 1_000_000) == 1)
        let grid = space.grid(budget: 27)
        #expect(grid.count == 27)
        #expect(Set(grid).count == 27)
        let lrs = Set(grid.map { log10($0["lr"]!.double!) * 2 }.map { $0.rounded() })
        #expect(lrs == [-7, -5, -3])
        #expect(Set(grid.compactMap { $0["hidden"] }) == [.integer(64), .integer(128), .integer(256)])
        // Integer axes round the cell centres and drop duplicates.
        #expect(SearchSpace.gridValues(.integer(1, 2), points: 5) == [.integer(1), .integer(2)])
        #expect(SearchSpace.gridValues(.integer(0, 9), points: 2) == [.integer(2), .integer(7)])
        #expect(SearchSpace.gridValues(.uniform(0, 1), points: 4) == [.number(0.125), .number(0.375), .number(0.625), .number(0.875)])
    }

    /// Coarse to fine: the new range contains the best value, is at most half as wide,
    /// and stays inside the old one; choices keep only what the top trials used.
    @Test func shrinkingNarrowsAroundTheBest() throws {
        let space = try SearchSpace(parsing: Self.issueSpec + ", d=uniform(0, 0.5), n=int(1, 9)")
        let best = Configuration([("lr", .number(3e-3)), ("l2", .number(1e-5)), ("hidden", .integer(128)), ("d", .number(0.1)), ("n", .integer(2))])
        let second = Configuration([("lr", .number(1e-2)), ("l2", .number(1e-2)), ("hidden", .integer(256)), ("d", .number(0.15)), ("n", .integer(3))])
        let fine = space.shrunk(around: [best, second])
        for name in ["lr", "l2", "d", "n"] {
            #expect(fine.width(of: name)! <= 0.5 * space.width(of: name)! + 1e-9, "\(name): \(fine.dimension(name)!)")
        }
        guard case .logUniform(let a, let b) = fine.dimension("lr")!.distribution else { Issue.record("lr kind"); return }
        // Both top values fit: log10 span -2.52...-2 widened by 0.3 decades on each side.
        #expect(abs(log10(a) - (log10(3e-3) - 0.3)) < 1e-9 && abs(log10(b) - (-2 + 0.3)) < 1e-9, "\(a) \(b)")
        // l2's top values span 3 of 4 decades: cut to 2 decades centred on the best (1e-5),
        // i.e. [1e-6, 1e-4].
        guard case .logUniform(let c, let d) = fine.dimension("l2")!.distribution else { Issue.record("l2 kind"); return }
        #expect(abs(log10(c) + 6) < 1e-9 && abs(log10(d) + 4) < 1e-9, "\(c) \(d)")
        #expect(fine.dimension("hidden")!.distribution == .choice([.integer(128), .integer(256)]))
        guard case .integer(let lo, let hi) = fine.dimension("n")!.distribution else { Issue.record("n kind"); return }
        #expect(lo <= 2 && hi >= 3 && lo >= 1 && hi <= 9)
        // Repeated shrinking keeps narrowing around the same best value.
        var s = space
        for _ in 0..<5 {
            let next = s.shrunk(around: [best])
            #expect(next.width(of: "lr")! < s.width(of: "lr")!)
            guard case .logUniform(let a, let b) = next.dimension("lr")!.distribution else { return }
            #expect(a <= 3e-3 && 3e-3 <= b)
            s = next
        }
    }
}
