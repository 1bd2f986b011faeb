import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kiln's own parallelism: how many cores this process may use, and a fork-join loop.
///
/// Kiln parallelises by data (the trainer's shards, evaluation chunks, ensemble members),
/// not inside BLAS: every worker calls OpenBLAS single-threaded, so the work a worker does
/// and the bits it produces never depend on how many workers there are. Results are the
/// same at any thread count because each work item owns its output and the items are
/// combined afterwards in a fixed order, never in the order workers finish.
public enum Parallel {
    /// The number of cores this process may run on: the size of its CPU affinity mask
    /// (`sched_getaffinity`, which `taskset`, cgroups' cpusets and Slurm's binding set),
    /// falling back to the online processor count. At least 1. Read once, at first use.
    public static let availableCores: Int = countAvailableCores()

    private static func countAvailableCores() -> Int {
        #if os(Linux)
        if let count = affinityCount(), count > 0 { return count }
        #endif
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return Swift.max(1, Int(online))
    }

    #if os(Linux)
    /// The number of CPUs in this process's affinity mask. `sched_getaffinity` is a GNU
    /// extension that Swift's Glibc module does not import, so it is looked up by name;
    /// the mask is read into a 1024-CPU buffer (glibc's `cpu_set_t` size).
    private static func affinityCount() -> Int? {
        typealias GetAffinity = @convention(c) (Int32, Int, UnsafeMutableRawPointer) -> Int32
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "sched_getaffinity") else { return nil }
        let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
        var mask = [UInt64](repeating: 0, count: 16)
        let status = mask.withUnsafeMutableBytes { getAffinity(0, $0.count, $0.baseAddress!) }
        guard status == 0 else { return nil }
        return mask.reduce(0) { $0 + $1.nonzeroBitCount }
    }
    #endif

    /// The largest thread count Kiln accepts (`--threads`): far above any machine it runs
    /// on, low enough that a typo (`--threads 10000`) is caught as a usage error.
    public static let maximumThreads = 1024

    /// Runs `body(item)` for every item in `0..<count` on up to `threads` threads and
    /// returns when all are done. Worker `w` takes items `w, w + threads, w + 2·threads…`
    /// (a fixed assignment), and `body` receives `(item, worker)` so that it can use
    /// per-worker scratch state. With one thread (or one item) everything runs on the
    /// calling thread, in item order.
    ///
    /// `body` runs concurrently with itself: it must write only to state owned by its item
    /// or its worker.
    public static func forEach(_ count: Int, threads: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        let workers = Swift.max(1, Swift.min(threads, count))
        if workers == 1 {
            for item in 0..<count { body(item, 0) }
            return
        }
        // Workers compute in the caller's float mode (FloatEnvironment), whatever thread
        // they borrow, so the mode never depends on the thread count.
        let controlWord = FloatEnvironment.controlWord
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                FloatEnvironment.with(controlWord: controlWord) {
                    var item = worker
                    while item < count {
                        box.value(item, worker)
                        item += workers
                    }
                }
            }
        }
    }
}

/// Carries a value across a concurrency boundary that the caller has made safe by other
/// means (disjoint writes, a join before the value is used again).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
