using System;
using System.Threading;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Vfs;

/// <summary>
/// An open file description (Linux's struct file): shared by the descriptors dup() makes and by a
/// fork's child, with one file offset. Operations return a byte count or -errno.
/// </summary>
public abstract class FileDescription
{
    private int _refs = 1;

    /// <summary>O_* access mode and status flags (O_APPEND, O_NONBLOCK, ...).</summary>
    public int StatusFlags { get; set; }

    /// <summary>The guest path it was opened by (for /proc/PID/fd and maps).</summary>
    public abstract string Path { get; }

    public bool CanRead => (StatusFlags & OpenFlags.AccMode) != OpenFlags.WrOnly;

    public bool CanWrite => (StatusFlags & OpenFlags.AccMode) != OpenFlags.RdOnly;

    public virtual long Read(GuestThread t, Span<byte> buffer) => -Errno.EINVAL;

    public virtual long Write(GuestThread t, ReadOnlySpan<byte> buffer) => -Errno.EINVAL;

    public virtual long PRead(GuestThread t, Span<byte> buffer, long offset) => -Errno.ESPIPE;

    public virtual long PWrite(GuestThread t, ReadOnlySpan<byte> buffer, long offset) => -Errno.ESPIPE;

    public virtual long Seek(long offset, int whence) => -Errno.ESPIPE;

    /// <summary>Fills a kernel <c>struct stat</c> (144 bytes).</summary>
    public abstract long Stat(Span<byte> stat);

    public virtual long Ioctl(GuestThread t, ulong request, ulong arg) => -Errno.ENOTTY;

    public virtual long GetDents64(Span<byte> buffer) => -Errno.ENOTDIR;

    public virtual long Truncate(long length) => -Errno.EINVAL;

    public virtual long Sync() => 0;

    /// <summary>The page cache to map for mmap, or null with -ENODEV / -EACCES in <paramref name="error"/>.</summary>
    public virtual MemoryObject? GetMappable(Kernel kernel, out long error)
    {
        error = -Errno.ENODEV;
        return null;
    }

    /// <summary>The host descriptor behind it, for *at() calls relative to a directory; -1 if synthetic.</summary>
    public virtual int HostFd => -1;

    public virtual bool IsDirectory => false;

    public void AddRef() => Interlocked.Increment(ref _refs);

    /// <summary>Drops a reference; the last one closes the file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            OnLastClose();
        }
    }

    protected virtual void OnLastClose()
    {
    }
}
