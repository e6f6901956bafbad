import CZlib
import Foundation

/// Gzip (RFC 1952) with the system zlib: push bodies travel compressed (`Content-Encoding: gzip`).
public enum Gzip {
    /// Why a body could not be inflated.
    public enum Failure: Error, Equatable {
        /// The inflated bytes would pass the limit given (a small body can expand enormously).
        case tooLarge
        /// Not a complete gzip stream.
        case malformed
    }

    /// zlib's "deflate with a gzip header" window setting.
    private static let gzipWindowBits: Int32 = 15 + 16

    /// Compresses `data` at `level` (1, the fastest, compresses event lines about fivefold).
    public static func compress(_ data: Data, level: Int32 = 1) -> Data {
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            preconditionFailure("zlib could not start a compressor (out of memory)")
        }
        defer { deflateEnd(&stream) }
        var output = Data(count: Int(deflateBound(&stream, uLong(data.count))))
        let written: Int = data.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(out.count)
                // The output buffer is deflateBound's size, so one call with Z_FINISH always completes.
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END, "zlib's deflateBound was not enough")
                return Int(stream.total_out)
            }
        }
        output.count = written
        return output
    }

    /// Inflates one gzip stream, refusing more than `limit` bytes of output and anything after the stream's end.
    public static func decompress(_ data: Data, limit: Int) throws(Failure) -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            preconditionFailure("zlib could not start a decompressor (out of memory)")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let status: Int32 = data.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while true {
                let result: Int32 = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if output.count > limit { return Z_MEM_ERROR }
                if result != Z_OK { return result }
                if stream.avail_in == 0 && stream.avail_out != 0 { return Z_BUF_ERROR }
            }
        }
        switch status {
        case Z_STREAM_END where stream.avail_in == 0: return output
        case Z_MEM_ERROR: throw .tooLarge
        default: throw .malformed
        }
    }
}
