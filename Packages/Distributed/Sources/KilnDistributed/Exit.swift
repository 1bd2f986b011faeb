#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ends the process with `code` (standard output flushed first).
func exitProcess(_ code: Int32) -> Never {
    fflush(nil)
    exit(code)
}
