import ArgumentParser
import CBLAS
import Dispatch
import KilnExampleSupport
import KilnTensor

/// `kiln-bench`: throughput benchmarks with one JSON object per line (`--json`).
///
/// Each case runs a warm-up, then `--samples` timed repetitions, and reports the median
/// (and the best) of the samples. Benchmark at 1 thread on a shared machine.
public struct KilnBenchCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "kiln-bench",
        abstract: "Throughput benchmarks for Kiln (GEMM, elementwise, training epochs).",
        subcommands: [GEMM.self, Elementwise.self, MLPEpoch.self, CNNEpoch.self, AugmentBench.self, PNGDecodeBench.self],
        defaultSubcommand: GEMM.self)

    /// Kiln's error contract: one line on stderr, exit 64 for usage errors.
    public static func main() { CommandMain.run(KilnBenchCommand.self) }
}

struct CommonOptions: ParsableArguments {
    @Option(help: threadsHelp)
    var threads: Int = Parallel.availableCores

    @Option(help: "Timed samples per case; the median is reported.")
    var samples: Int = 15

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false

    func validate() throws {
        try validateThreads(threads)
        guard samples >= 1 else { throw ValidationError("--samples must be at least 1") }
    }
}

/// Seconds elapsed while running `body`, on the monotonic clock.
func timeIt(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Median and minimum of `samples` timings of `body` after one warm-up run.
func measure(samples: Int, _ body: () -> Void) -> (median: Double, best: Double) {
    body()
    let times = (0..<samples).map { _ in timeIt(body) }.sorted()
    return (times[times.count / 2], times[0])
}

/// Formats a JSON line from ordered key/value pairs (numbers and strings only).
func jsonLine(_ pairs: [(String, Any)]) -> String {
    let fields = pairs.map { key, value -> String in
        switch value {
        case let s as String: return "\"\(key)\": \"\(s)\""
        case let d as Double: return "\"\(key)\": \(d.isFinite ? String(format3(d)) : "null")"
        default: return "\"\(key)\": \(value)"
        }
    }
    return "{" + fields.joined(separator: ", ") + "}"
}

func format3(_ x: Double) -> String {
    let scaled = (x * 1000).rounded() / 1000
    return "\(scaled)"
}

struct GEMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "SGEMM GFLOP/s through Kiln's matmul and raw cblas_sgemm, side by side.")

    @OptionGroup var options: CommonOptions

    @Option(help: "Square sizes to run.")
    var sizes: [Int] = [256, 512, 1024, 2048]

    func run() throws {
        BLAS.threadCount = options.threads
        // (name, m, n, k, transposeA, transposeB): the squares, then the MLP step at batch 128.
        var cases: [(String, Int, Int, Int, Bool, Bool)] = sizes.map { ("sq\($0)", $0, $0, $0, false, false) }
        cases += [
            ("fwd1 128x784@784x256", 128, 256, 784, false, false),
            ("fwd2 128x256@256x128", 128, 128, 256, false, false),
            ("fwd3 128x128@128x10", 128, 10, 128, false, false),
            ("dW1 (128x784)T@128x256", 784, 256, 128, true, false),
            ("dW2 (128x256)T@128x128", 256, 128, 128, true, false),
            ("dW3 (128x128)T@128x10", 128, 10, 128, true, false),
            ("dX2 128x128@(256x128)T", 128, 256, 128, false, true),
            ("dX3 128x10@(128x10)T", 128, 128, 10, false, true),
        ]
        if !options.json {
            print("case                        kiln GFLOP/s   cblas GFLOP/s   ratio   (median of \(options.samples), \(options.threads) thread(s), OpenBLAS \(BLAS.coreName) kernels)")
        }
        var rng = RandomGenerator(seed: 1)
        for (name, m, n, k, ta, tb) in cases {
            let a = Tensor.normal(ta ? [k, m] : [m, k], using: &rng)
            let b = Tensor.normal(tb ? [n, k] : [k, n], using: &rng)
            var c = Tensor.zeros([m, n])
            let flops = 2.0 * Double(m) * Double(n) * Double(k)
            // Repeat small GEMMs so that one sample lasts long enough to time.
            let reps = max(1, Int(2e8 / flops))
            let kiln = measure(samples: options.samples) {
                for _ in 0..<reps { matmul(a, b, transposeA: ta, transposeB: tb, into: &c) }
            }
            // The same call straight to cblas_sgemm, on the same buffers.
            var out = [Float](repeating: 0, count: m * n)
            let raw = measure(samples: options.samples) {
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        out.withUnsafeMutableBufferPointer { pc in
                            for _ in 0..<reps {
                                cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                                            Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(a.shape[1]),
                                            pb.baseAddress, Int32(b.shape[1]), 0, pc.baseAddress, Int32(n))
                            }
                        }
                    }
                }
            }
            let kilnRate = flops * Double(reps) / kiln.median / 1e9
            let rawRate = flops * Double(reps) / raw.median / 1e9
            if options.json {
                print(jsonLine([("case", "gemm"), ("shape", name), ("m", m), ("n", n), ("k", k),
                                ("gflops", kilnRate), ("gflops_best", flops * Double(reps) / kiln.best / 1e9),
                                ("cblas_gflops", rawRate), ("ratio_to_cblas", kilnRate / rawRate),
                                ("threads", options.threads), ("blas_core", BLAS.coreName)]))
            } else {
                let padded = name.padding(26)
                print("\(padded)  \(format1(kilnRate).leftPad(12))   \(format1(rawRate).leftPad(13))   \(format3(kilnRate / rawRate))")
            }
        }
    }
}

struct Elementwise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Elementwise add and multiply over 1M floats, in GB/s (bytes read + written).")

    @OptionGroup var options: CommonOptions

    @Option(help: "Elements per tensor.")
    var count: Int = 1_000_000

    func validate() throws {
        guard count >= 1000, count % 1000 == 0 else { throw ValidationError("--count must be a positive multiple of 1000") }
    }

    func run() throws {
        var rng = RandomGenerator(seed: 2)
        let a = Tensor.uniform([count], using: &rng)
        let b = Tensor.uniform([count], using: &rng)
        let bytes = Double(3 * count * MemoryLayout<Float>.size)
        var sink: Float = 0
        var inPlace = a
        let cases: [(String, Double, () -> Void)] = [
            ("add", bytes, { sink += (a + b)[flat: 0] }),
            ("mul", bytes, { sink += (a * b)[flat: 0] }),
            ("add_inplace", bytes, { inPlace += b }),
            ("broadcast_row_add 1000x1000+1000", bytes, {
                sink += (a.reshaped([1000, self.count / 1000]) + b.rows(0..<(self.count / 1000)))[flat: 0]
            }),
        ]
        for (name, bytes, body) in cases {
            let t = measure(samples: options.samples, body)
            let rate = bytes / t.median / 1e9
            if options.json {
                print(jsonLine([("case", name), ("shape", "\(count)"), ("gb_per_s", rate), ("median_ms", t.median * 1000)]))
            } else {
                print("\(name.padding(34))  \(format1(rate).leftPad(8)) GB/s   median \(format3(t.median * 1000)) ms")
            }
        }
        if sink.isNaN { print("") }
    }
}

func format1(_ x: Double) -> String { "\((x * 10).rounded() / 10)" }

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
