import CZlib

/// gzip through zlib (RFC 1952): streaming inflate with checked CRC-32 and length, and
/// deflate for writing. Internal: `IDXFile` is the public face.
enum Gzip {
    /// Output chunk size: small enough to stay in L2, large enough that zlib's per-call
    /// overhead does not show.
    static let chunkSize = 1 << 18

    /// Inflates every gzip member of `input` in turn and hands the output to `sink` chunk
    /// by chunk. `sink` may throw to stop early (the IDX decoder does when the output
    /// passes the size the header announced), so memory never exceeds what it accepts.
    ///
    /// Trailing zero bytes after the last member are accepted (tape padding, as gzip(1)
    /// does); any other trailing data is an error.
    static func inflate(_ input: UnsafeBufferPointer<UInt8>, name: String,
                        sink: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        var stream = z_stream()
        guard kiln_inflate_init2(&stream, 15 + 16) == Z_OK else {
            throw DataError(.corruptGzip, file: name, "corrupt gzip: zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { out.deallocate() }

        var consumed = 0          // input bytes handed to zlib so far
        func refill() {
            if stream.avail_in == 0 && consumed < input.count {
                let n = min(input.count - consumed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: base + consumed)
                stream.avail_in = UInt32(n)
                consumed += n
            }
        }
        refill()
        while true {
            stream.next_out = out
            stream.avail_out = UInt32(chunkSize)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            let produced = chunkSize - Int(stream.avail_out)
            if produced > 0 { try sink(UnsafeBufferPointer(start: out, count: produced)) }
            switch status {
            case Z_OK:
                refill()
            case Z_STREAM_END:
                refill()
                let remaining = Int(stream.avail_in) + (input.count - consumed)
                if remaining == 0 { return }
                let at = input.count - remaining
                if remaining >= 2 && input[at] == 0x1F && input[at + 1] == 0x8B {
                    inflateReset(&stream)   // another member: its output continues the data
                    continue
                }
                if input[at...].allSatisfy({ $0 == 0 }) { return }
                throw DataError(.corruptGzip, file: name, "corrupt gzip: \(remaining) bytes of trailing data after the gzip stream")
            case Z_BUF_ERROR:
                // No progress possible: the input ended before the stream did.
                throw DataError(.corruptGzip, file: name, "corrupt gzip: unexpected end of the compressed data (truncated file?)")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw DataError(.corruptGzip, file: name, "corrupt gzip: \(message)")
            }
        }
    }

    /// Compresses `input` as one gzip member (deflate level `level`, 0...9).
    static func deflate(_ input: [UInt8], level: Int32 = 6, name: String) throws -> [UInt8] {
        var stream = z_stream()
        guard kiln_deflate_init2(&stream, level, 15 + 16) == Z_OK else {
            throw DataError(.invalidArgument, file: name, "zlib could not start compressing")
        }
        defer { deflateEnd(&stream) }
        var result: [UInt8] = []
        result.reserveCapacity(Int(deflateBound(&stream, uLong(input.count))))
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { out.deallocate() }
        try input.withUnsafeBufferPointer { src in
            var consumed = 0
            while true {
                if stream.avail_in == 0 && consumed < src.count {
                    let n = min(src.count - consumed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: src.baseAddress! + consumed)
                    stream.avail_in = UInt32(n)
                    consumed += n
                }
                let flush = consumed == src.count ? Z_FINISH : Z_NO_FLUSH
                stream.next_out = out
                stream.avail_out = UInt32(chunkSize)
                let status = CZlib.deflate(&stream, flush)
                result.append(contentsOf: UnsafeBufferPointer(start: out, count: chunkSize - Int(stream.avail_out)))
                if status == Z_STREAM_END { return }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    throw DataError(.invalidArgument, file: name, "zlib deflate failed (status \(status))")
                }
            }
        }
        return result
    }
}
