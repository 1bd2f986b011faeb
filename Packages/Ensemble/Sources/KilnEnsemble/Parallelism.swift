import Foundation
import KilnTensor

/// How many members train at once and how many BLAS threads each one uses.
///
/// Defaults: `jobs` = the number of cores (at most the number of members), and BLAS
/// threads per member = `max(1, cores / min(members, cores))`: the `max(1, cores / jobs)`
/// of the default job count, so that `jobs × threads` does not exceed the cores.
///
/// The thread default deliberately does not follow an explicit `jobs`. OpenBLAS's
/// results for a large product depend on its thread count (measured with `bagging-ensemble`
/// on Fashion-MNIST: `--jobs 1` with 2 BLAS threads and `--jobs 2` with 1 thread gave
/// member files that differ in the last bits of the weights; with the same thread count
/// they are byte-identical). Deriving the threads from `jobs` would make the job count
/// change the ensemble; deriving them from the cores and members keeps the ensemble the
/// same whatever `jobs` (fewer jobs than the default then leave cores idle: pass
/// `blasThreads` to trade bit-identity for speed).
///
/// OpenBLAS keeps one process-wide thread count (`openblas_set_num_threads`; the
/// OpenBLAS 0.3.21 of Debian 12 has no per-thread setting), so ``Bagging/fit(train:dev:epochs:parallelism:voting:weights:makeMember:)``
/// sets that shared count to `blasThreads` for the duration of training and restores it
/// afterwards. Every member uses the same value, which is what a per-member setting would
/// give; with `jobs > 1` and `blasThreads > 1` the members' calls share one OpenBLAS
/// thread pool. The members themselves run as child tasks of a task group on Swift's
/// cooperative pool, which has one thread per core: `jobs` above the core count is
/// allowed but does not run more members at once.
public struct Parallelism: Sendable, Equatable {
    /// Members trained at the same time.
    public let jobs: Int
    /// BLAS threads per member.
    public let blasThreads: Int
    /// The cores the plan was made for.
    public let cores: Int

    /// The cores this process may use (`ProcessInfo.activeProcessorCount`).
    public static var availableCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Throws ``EnsembleError/invalidConfiguration(_:)`` when `jobs` or `blasThreads` is
    /// given and below 1.
    public init(members: Int, jobs: Int? = nil, blasThreads: Int? = nil, cores: Int = Parallelism.availableCores) throws {
        if let jobs, jobs < 1 { throw EnsembleError.invalidConfiguration("jobs must be at least 1, got \(jobs)") }
        if let blasThreads, blasThreads < 1 { throw EnsembleError.invalidConfiguration("BLAS threads must be at least 1, got \(blasThreads)") }
        let cores = max(1, cores)
        let j = max(1, min(jobs ?? cores, max(1, members)))
        self.jobs = j
        self.blasThreads = blasThreads ?? max(1, cores / max(1, min(members, cores)))
        self.cores = cores
    }
}
