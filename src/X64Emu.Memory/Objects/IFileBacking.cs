using System;

namespace X64Emu.Memory.Objects;

/// <summary>
/// Where a page cache gets file contents from and writes them back to. Implemented by the VFS
/// (a host file); called only on page-cache misses and writeback, never on the access fast path.
/// </summary>
public interface IFileBacking
{
    /// <summary>Current file size in bytes.</summary>
    ulong Length { get; }

    /// <summary>Reads up to destination.Length bytes at <paramref name="offset"/>; returns the count (short at end of file), or -1 on an I/O error.</summary>
    int Read(ulong offset, Span<byte> destination);

    /// <summary>Writes the bytes at <paramref name="offset"/>; false on an I/O error.</summary>
    bool Write(ulong offset, ReadOnlySpan<byte> source);

    /// <summary>
    /// Whether the calling process may page the file's cache out with MADV_PAGEOUT (mm/madvise.c can_do_file_pageout:
    /// it owns the file, holds CAP_FOWNER, or could open it for writing), asked at each madvise call.
    /// </summary>
    bool MayPageOut { get; }
}
