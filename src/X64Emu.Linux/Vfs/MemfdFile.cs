using System;
using System.Threading;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Memory;
using X64Emu.Memory.Hugetlb;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Vfs;

/// <summary>
/// A memfd: a file with no name on disk whose data is a shmem <see cref="MemoryObject"/> (or a
/// hugetlbfs <see cref="HugetlbFile"/> for MFD_HUGETLB), shared by read/write and every mapping.
/// </summary>
public sealed class MemfdFile : FileDescription
{
    private static long _inode = 0x4000;
    private readonly MemoryObject _obj;
    private readonly string _path;
    private long _offset;

    private readonly Kernel _kernel;

    public MemfdFile(Kernel kernel, MemoryObject obj, string path, int flags)
    {
        _kernel = kernel;
        _obj = obj;
        _path = path;
        StatusFlags = flags;
        obj.AddUser();
    }

    public override string Path => _path;

    public static ulong NextInode() => (ulong)Interlocked.Increment(ref _inode);

    private bool Hugetlb => _obj is HugetlbFile;

    /// <summary>Created with MFD_HUGETLB.</summary>
    public bool IsHugetlb => Hugetlb;

    public override long Read(GuestThread t, Span<byte> buffer)
    {
        long n = PRead(t, buffer, Interlocked.Read(ref _offset));
        if (n > 0)
        {
            Interlocked.Add(ref _offset, n);
        }

        return n;
    }

    public override long Write(GuestThread t, ReadOnlySpan<byte> buffer)
    {
        long at = (StatusFlags & OpenFlags.Append) != 0 ? (long)_obj.Size : Interlocked.Read(ref _offset);
        long n = PWrite(t, buffer, at);
        if (n > 0)
        {
            Interlocked.Exchange(ref _offset, at + n);
        }

        return n;
    }

    public override long PRead(GuestThread t, Span<byte> buffer, long offset)
    {
        if (offset < 0)
        {
            return -Errno.EINVAL;
        }

        ulong size = _obj.Size;
        if ((ulong)offset >= size)
        {
            return 0;
        }

        int n = (int)Math.Min((ulong)buffer.Length, size - (ulong)offset);
        if (Hugetlb)
        {
            return ReadHuge((HugetlbFile)_obj, (ulong)offset, buffer.Slice(0, n));
        }

        return _obj.Read((ulong)offset, buffer.Slice(0, n));
    }

    /// <summary>hugetlbfs read: holes read as zeroes; pages are not allocated by reading.</summary>
    private static unsafe long ReadHuge(HugetlbFile f, ulong offset, Span<byte> buffer)
    {
        ulong pageBytes = f.Pool.PageBytes;
        int done = 0;
        while (done < buffer.Length)
        {
            ulong at = offset + (ulong)done;
            int chunk = (int)Math.Min((ulong)(buffer.Length - done), pageBytes - (at % pageBytes));
            long head = f.Lookup(at / pageBytes);
            if (head < 0)
            {
                buffer.Slice(done, chunk).Clear();
            }
            else
            {
                new ReadOnlySpan<byte>(f.Memory.HostOf(head) + (at % pageBytes), chunk).CopyTo(buffer.Slice(done, chunk));
            }

            done += chunk;
        }

        return done;
    }

    public override long PWrite(GuestThread t, ReadOnlySpan<byte> buffer, long offset)
    {
        if (Hugetlb)
        {
            return -Errno.EINVAL; // hugetlbfs has no write(); data goes in through mappings
        }

        if (offset < 0)
        {
            return -Errno.EINVAL;
        }

        ulong end = (ulong)offset + (ulong)buffer.Length;
        if (end > _obj.Size)
        {
            _obj.SetSize(end);
        }

        return _obj.Write((ulong)offset, buffer) ? buffer.Length : -Errno.ENOSPC;
    }

    public override long Seek(long offset, int whence)
    {
        long basePos = whence switch
        {
            0 => 0,
            1 => Interlocked.Read(ref _offset),
            2 => (long)_obj.Size,
            _ => -1,
        };
        if (basePos < 0 || basePos + offset < 0)
        {
            return -Errno.EINVAL;
        }

        Interlocked.Exchange(ref _offset, basePos + offset);
        return basePos + offset;
    }

    public override long Stat(Span<byte> stat)
    {
        long blksize = Hugetlb ? (long)((HugetlbFile)_obj).Pool.PageBytes : 4096;
        StatBuf.Fill(stat, ((ulong)_obj.DevMajor << 8) | _obj.DevMinor, _obj.Inode, StatBuf.IfReg | 0x1FF, 0, 0, 0, (long)_obj.Size, blksize: blksize);
        return 0;
    }

    /// <summary>ftruncate: hugetlbfs sizes must be huge-page multiples (EINVAL); shrinking drops the pages beyond the new end.</summary>
    public override long Truncate(long length)
    {
        if (length < 0)
        {
            return -Errno.EINVAL;
        }

        ulong size = (ulong)length;
        if (_obj is HugetlbFile h)
        {
            if ((size & (h.Pool.PageBytes - 1)) != 0)
            {
                return -Errno.EINVAL;
            }

            if (size < h.Size)
            {
                _kernel.Memory.UnmapObjectBeyond(h, size >> PageSizes.PageBits);
                h.PunchHuge(size / h.Pool.PageBytes, ulong.MaxValue);
            }

            h.SetSize(size);
            return 0;
        }

        ulong old = _obj.Size;
        _obj.SetSize(size);
        if (size < old)
        {
            _kernel.Memory.UnmapObjectBeyond(_obj, (size + PageSizes.PageMask) >> PageSizes.PageBits);
            _obj.TruncatePages(size);
        }

        return 0;
    }

    public override MemoryObject? GetMappable(Kernel kernel, out long error)
    {
        error = 0;
        return _obj;
    }

    protected override void OnLastClose() => _obj.RemoveUser();
}
