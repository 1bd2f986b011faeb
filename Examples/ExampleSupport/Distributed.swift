import ArgumentParser
import Foundation
import KilnDistributed
import KilnMPI

/// `--distributed`: how the examples reach beyond one process.
///
/// - `none` (the default): this process alone.
/// - `mpi`: the ranks of an MPI launch (`mpirun -np N …`, or `srun --mpi=pmix` under
///   Slurm). Started without a launcher, the program runs as one rank.
///
/// Every rank runs the same command with the same options and reads the data itself (a
/// shared file system or the same files on every node); rank 0 alone prints, saves,
/// plots and checkpoints. An error on any rank prints one line (prefixed with the rank
/// when it is not 0) and ends every rank with `MPI_Abort`.
public enum DistributedMode: String, ExpressibleByArgument, CaseIterable, Sendable {
    case none, mpi

    public static let help = ArgumentHelp(
        "Train across processes: none, or mpi (the ranks of an mpirun/srun launch; rank 0 prints and saves). Results equal the one-process run's.",
        valueName: "mode")

    /// The communicator for this mode (MPI is initialized here, once).
    public func communicator() throws -> any Communicator {
        switch self {
        case .none:
            return SingleProcessCommunicator()
        case .mpi:
            let world: MPICommunicator
            do { world = try MPICommunicator.world() } catch { throw ExampleError("--distributed mpi: \(error)") }
            CommandMain.world = world
            return world
        }
    }
}

extension CommandMain {
    /// The communicator of a multi-process run, once made: an error on one rank must end
    /// them all (the others would wait in their next collective).
    public nonisolated(unsafe) static var world: (any Communicator)?

    /// The rank an MPI or Slurm launcher gave this process, read from its environment
    /// (before MPI is initialized, as when the flags are parsed), or nil when not launched.
    static var launcherRank: Int? {
        let environment = ProcessInfo.processInfo.environment
        for key in ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"] {
            if let value = environment[key], let rank = Int(value) { return rank }
        }
        return nil
    }
}
