using System;
using X64Emu.Linux.Host;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Memory;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Vfs;

/// <summary>
/// A file, directory, device or pipe opened on the host and passed through with the host's errno
/// values. Regular files that are mapped go through their page cache so read(), write() and
/// MAP_SHARED stay coherent.
/// </summary>
public sealed unsafe class HostFile : FileDescription
{
    private readonly int _fd;
    private readonly string _path;
    private readonly bool _isDirectory;
    private readonly bool _isRegular;
    private readonly ulong _dev;
    private readonly ulong _ino;
    private readonly Kernel _kernel;
    private bool _closed;

    /// <summary>Wraps an open host descriptor; takes ownership of it.</summary>
    public HostFile(Kernel kernel, int hostFd, string path, int statusFlags, bool ownsFd = true)
    {
        _kernel = kernel;
        _fd = hostFd;
        _path = path;
        StatusFlags = statusFlags;
        OwnsFd = ownsFd;
        Span<byte> st = stackalloc byte[StatBuf.Size];
        fixed (byte* p = st)
        {
            if (LibC.Sys(LibC.NrFstat, hostFd, (long)p) == 0)
            {
                uint type = StatBuf.Mode(st) & 0xF000;
                _isDirectory = type == StatBuf.IfDir;
                _isRegular = type == StatBuf.IfReg;
                _dev = StatBuf.Dev(st);
                _ino = StatBuf.Ino(st);
            }
        }
    }

    /// <summary>False for the emulator's own stdin/stdout/stderr, which must stay open.</summary>
    public bool OwnsFd { get; }

    public override string Path => _path;

    public override int HostFd => _fd;

    public override bool IsDirectory => _isDirectory;

    public bool IsRegular => _isRegular;

    public ulong Device => _dev;

    public ulong Inode => _ino;

    public override long Read(GuestThread t, Span<byte> buffer)
    {
        if (!CanRead)
        {
            return -Errno.EBADF;
        }

        if (_isDirectory)
        {
            return -Errno.EISDIR;
        }

        // The file offset is the host's: it is shared with every other holder of the description,
        // host processes included (an inherited stdout redirected to a file).
        MemoryObject? cache = _isRegular ? _kernel.PageCache.Find(_dev, _ino) : null;
        if (cache == null)
        {
            fixed (byte* p = buffer)
            {
                return LibC.Sys(LibC.NrRead, _fd, (long)p, buffer.Length);
            }
        }

        long pos = LibC.Sys(LibC.NrLseek, _fd, 0, 1 /* SEEK_CUR */);
        if (pos < 0)
        {
            return pos;
        }

        long n = PRead(t, buffer, pos);
        if (n > 0)
        {
            LibC.Sys(LibC.NrLseek, _fd, pos + n, 0);
        }

        return n;
    }

    public override long Write(GuestThread t, ReadOnlySpan<byte> buffer)
    {
        if (!CanWrite)
        {
            return -Errno.EBADF;
        }

        MemoryObject? cache = _isRegular ? _kernel.PageCache.Find(_dev, _ino) : null;
        if (cache == null)
        {
            fixed (byte* p = buffer)
            {
                return LibC.Sys(LibC.NrWrite, _fd, (long)p, buffer.Length);
            }
        }

        long pos = (StatusFlags & OpenFlags.Append) != 0 ? Length() : LibC.Sys(LibC.NrLseek, _fd, 0, 1 /* SEEK_CUR */);
        if (pos < 0)
        {
            return pos;
        }

        long n = PWrite(t, buffer, pos);
        if (n > 0)
        {
            LibC.Sys(LibC.NrLseek, _fd, pos + n, 0);
        }

        return n;
    }

    public override long PRead(GuestThread t, Span<byte> buffer, long offset)
    {
        if (!_isRegular)
        {
            return _isDirectory ? -Errno.EISDIR : -Errno.ESPIPE;
        }

        if (offset < 0)
        {
            return -Errno.EINVAL;
        }

        MemoryObject? cache = _kernel.PageCache.Find(_dev, _ino);
        if (cache != null)
        {
            int n = cache.Read((ulong)offset, buffer);
            return n < 0 ? -Errno.EIO : n;
        }

        fixed (byte* p = buffer)
        {
            return LibC.Sys(LibC.NrPread64, _fd, (long)p, buffer.Length, offset);
        }
    }

    public override long PWrite(GuestThread t, ReadOnlySpan<byte> buffer, long offset)
    {
        if (!_isRegular)
        {
            return -Errno.ESPIPE;
        }

        if (offset < 0)
        {
            return -Errno.EINVAL;
        }

        MemoryObject? cache = _kernel.PageCache.Find(_dev, _ino);
        if (cache != null)
        {
            // Updates every mapping's view and writes through to the host file.
            return cache.Write((ulong)offset, buffer) ? buffer.Length : -Errno.EIO;
        }

        fixed (byte* p = buffer)
        {
            return LibC.Sys(LibC.NrPwrite64, _fd, (long)p, buffer.Length, offset);
        }
    }

    public override long Seek(long offset, int whence) => LibC.Sys(LibC.NrLseek, _fd, offset, whence);

    private long Length()
    {
        Span<byte> st = stackalloc byte[StatBuf.Size];
        fixed (byte* p = st)
        {
            return LibC.Sys(LibC.NrFstat, _fd, (long)p) == 0 ? StatBuf.FileSize(st) : 0;
        }
    }

    public override long Stat(Span<byte> stat)
    {
        fixed (byte* p = stat)
        {
            return LibC.Sys(LibC.NrFstat, _fd, (long)p);
        }
    }

    public override long Ioctl(GuestThread t, ulong request, ulong arg) => _kernel.HostIoctl(t, _fd, request, arg);

    public override long GetDents64(Span<byte> buffer)
    {
        if (!_isDirectory)
        {
            return -Errno.ENOTDIR;
        }

        fixed (byte* p = buffer)
        {
            return LibC.Sys(LibC.NrGetdents64, _fd, (long)p, buffer.Length);
        }
    }

    public override long Truncate(long length)
    {
        if (!CanWrite)
        {
            return -Errno.EINVAL;
        }

        MemoryObject? cache = _kernel.PageCache.Find(_dev, _ino);
        ulong old = cache?.Size ?? 0;
        long r = LibC.Sys(LibC.NrFtruncate, _fd, length);
        if (r == 0 && cache != null && (ulong)length < old)
        {
            // Mappings lose the pages beyond the new end (SIGBUS when touched); the cache drops them.
            _kernel.Memory.UnmapObjectBeyond(cache, ((ulong)length + PageSizes.PageMask) >> PageSizes.PageBits);
            cache.TruncatePages((ulong)length);
        }

        return r;
    }

    public override long Sync()
    {
        _kernel.PageCache.Find(_dev, _ino)?.Writeback(0, ulong.MaxValue);
        return LibC.Sys(LibC.NrFsync, _fd);
    }

    public override MemoryObject? GetMappable(Kernel kernel, out long error)
    {
        if (!_isRegular)
        {
            error = -Errno.ENODEV;
            return null;
        }

        error = 0;
        return kernel.PageCache.GetOrCreate(this);
    }

    protected override void OnLastClose()
    {
        if (!_closed && OwnsFd)
        {
            _closed = true;
            LibC.Sys(LibC.NrClose, _fd);
        }
    }
}
