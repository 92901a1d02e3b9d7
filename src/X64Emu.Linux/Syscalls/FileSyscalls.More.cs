using System;
using System.Buffers;
using X64Emu.Linux.Host;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;

namespace X64Emu.Linux.Syscalls;

public static unsafe partial class FileSyscalls
{
    private const long ProcSuperMagic = 0x9fa0;

    internal static void RegisterMore(SyscallTable t)
    {
        t.Define(SyscallNumber.Statfs, &Statfs);
        t.Define(SyscallNumber.Fstatfs, &Fstatfs);
        t.Define(SyscallNumber.Fadvise64, &Fadvise64);
        t.Define(SyscallNumber.CopyFileRange, &CopyFileRange);
        t.Define(SyscallNumber.Sendfile, &Sendfile);
        t.Define(SyscallNumber.Fallocate, &Fallocate);
        t.Define(SyscallNumber.Flock, &Flock);
        t.Define(SyscallNumber.Chown, &Chown);
        t.Define(SyscallNumber.Lchown, &Lchown);
        t.Define(SyscallNumber.Fchown, &Fchown);
        t.Define(SyscallNumber.Fchownat, &Fchownat);
        t.Define(SyscallNumber.Sync, &SyncAll);
        t.Define(SyscallNumber.Syncfs, &Fsync);
        t.Define(SyscallNumber.Preadv, &Preadv);
        t.Define(SyscallNumber.Pwritev, &Pwritev);
        t.Define(SyscallNumber.Readahead, &Readahead);
    }

    /// <summary>Fills a struct statfs (120 bytes): host filesystems from the host, /proc as procfs.</summary>
    private static long StatfsOf(GuestThread t, FileDescription? f, string? abs, Span<byte> buf)
    {
        buf.Clear();
        if (f is HostFile hf)
        {
            fixed (byte* p = buf)
            {
                return LibC.Sys(LibC.NrFstatfs, hf.HostFd, (long)p);
            }
        }

        if (f == null && abs != null && VfsOps.Classify(abs, out _) == VfsOps.Kind.Host)
        {
            byte[] hp = LibC.Path(VfsOps.HostPath(t.Kernel, abs));
            fixed (byte* b = hp)
            fixed (byte* p = buf)
            {
                return LibC.Sys(LibC.NrStatfs, (long)b, (long)p);
            }
        }

        BitConverter.TryWriteBytes(buf, ProcSuperMagic);
        BitConverter.TryWriteBytes(buf.Slice(8), 4096L); // f_bsize
        BitConverter.TryWriteBytes(buf.Slice(64), 255L); // f_namelen
        BitConverter.TryWriteBytes(buf.Slice(72), 4096L); // f_frsize
        return 0;
    }

    public static long Statfs(GuestThread t, ref SyscallArgs a)
    {
        long r = PathArg(t, a.A0, out string path);
        if (r < 0)
        {
            return r;
        }

        r = VfsOps.Resolve(t.Process, LibC.AtFdCwd, path, out string abs);
        if (r < 0)
        {
            return r;
        }

        if (VfsOps.Classify(abs, out string norm) != VfsOps.Kind.Host)
        {
            r = VfsOps.Open(t.Kernel, t.Process, LibC.AtFdCwd, norm, OpenFlags.RdOnly, 0, out FileDescription? probe);
            if (r < 0)
            {
                return r;
            }

            probe!.Release();
        }

        Span<byte> buf = stackalloc byte[120];
        r = StatfsOf(t, null, abs, buf);
        return r < 0 ? r : t.Process.Mm.WriteUser(a.A1, buf) ? 0 : -Errno.EFAULT;
    }

    public static long Fstatfs(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        Span<byte> buf = stackalloc byte[120];
        long r = StatfsOf(t, f, null, buf);
        return r < 0 ? r : t.Process.Mm.WriteUser(a.A1, buf) ? 0 : -Errno.EFAULT;
    }

    /// <summary>posix_fadvise: advice about I/O patterns; valid advice on a file succeeds (the page cache needs no hint).</summary>
    public static long Fadvise64(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        if (f is HostFile hf && !hf.IsRegular && !hf.IsDirectory)
        {
            return -Errno.ESPIPE;
        }

        return a.A3 > 5 || (long)a.A2 < 0 ? -Errno.EINVAL : 0;
    }

    /// <summary>Copies between two descriptors through the guest VFS (copy_file_range, sendfile).</summary>
    private static long Copy(GuestThread t, FileDescription src, FileDescription dst, long? inOff, long? outOff, long count)
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(count, 1), 1 << 20));
        try
        {
            long total = 0;
            while (total < count)
            {
                int chunk = (int)Math.Min(count - total, buf.Length);
                long n = inOff.HasValue ? src.PRead(t, buf.AsSpan(0, chunk), inOff.Value + total) : src.Read(t, buf.AsSpan(0, chunk));
                if (n <= 0)
                {
                    return total > 0 ? total : n;
                }

                long w = outOff.HasValue ? dst.PWrite(t, buf.AsSpan(0, (int)n), outOff.Value + total) : dst.Write(t, buf.AsSpan(0, (int)n));
                if (w < 0)
                {
                    return total > 0 ? total : w;
                }

                total += w;
                if (w < n)
                {
                    break;
                }
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    private static long ReadOffset(GuestThread t, ulong va, out long? off)
    {
        off = null;
        if (va == 0)
        {
            return 0;
        }

        if (!t.Process.Mm.ReadUser64(va, out ulong v))
        {
            return -Errno.EFAULT;
        }

        if ((long)v < 0)
        {
            return -Errno.EINVAL;
        }

        off = (long)v;
        return 0;
    }

    public static long CopyFileRange(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? src = Fd(t, a.A0);
        FileDescription? dst = Fd(t, a.A2);
        if (src == null || dst == null || !src.CanRead || !dst.CanWrite)
        {
            return -Errno.EBADF;
        }

        if (a.A5 != 0)
        {
            return -Errno.EINVAL;
        }

        if (src.IsDirectory || dst.IsDirectory)
        {
            return -Errno.EISDIR;
        }

        if ((dst.StatusFlags & OpenFlags.Append) != 0)
        {
            return -Errno.EBADF;
        }

        if (src is not HostFile { IsRegular: true } && src is not SyntheticFile || dst is not HostFile { IsRegular: true })
        {
            return -Errno.EINVAL;
        }

        long r = ReadOffset(t, a.A1, out long? inOff);
        if (r < 0)
        {
            return r;
        }

        r = ReadOffset(t, a.A3, out long? outOff);
        if (r < 0)
        {
            return r;
        }

        long n = Copy(t, src, dst, inOff, outOff, (long)Math.Min(a.A4, 0x7FFFF000));
        if (n > 0)
        {
            if (inOff.HasValue)
            {
                t.Process.Mm.WriteUser64(a.A1, (ulong)(inOff.Value + n));
            }

            if (outOff.HasValue)
            {
                t.Process.Mm.WriteUser64(a.A3, (ulong)(outOff.Value + n));
            }
        }

        return n;
    }

    public static long Sendfile(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? dst = Fd(t, a.A0);
        FileDescription? src = Fd(t, a.A1);
        if (src == null || dst == null || !src.CanRead || !dst.CanWrite)
        {
            return -Errno.EBADF;
        }

        long r = ReadOffset(t, a.A2, out long? inOff);
        if (r < 0)
        {
            return r;
        }

        long n = Copy(t, src, dst, inOff, null, (long)Math.Min(a.A3, 0x7FFFF000));
        if (n > 0 && inOff.HasValue)
        {
            t.Process.Mm.WriteUser64(a.A2, (ulong)(inOff.Value + n));
        }

        return n;
    }

    public static long Fallocate(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        return f.HostFd < 0 ? -Errno.ENODEV : LibC.Sys(LibC.NrFallocate, f.HostFd, (long)a.A1, (long)a.A2, (long)a.A3);
    }

    public static long Flock(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        return f.HostFd < 0 ? 0 : LibC.Sys(LibC.NrFlock, f.HostFd, (long)a.A1);
    }

    public static long Chown(GuestThread t, ref SyscallArgs a)
    {
        long uid = (int)a.A1, gid = (int)a.A2;
        return OnePath(t, LibC.AtFdCwd, a.A0, p => LibC.Sys(LibC.NrFchownat, LibC.AtFdCwd, p, uid, gid, 0));
    }

    public static long Lchown(GuestThread t, ref SyscallArgs a)
    {
        long uid = (int)a.A1, gid = (int)a.A2;
        return OnePath(t, LibC.AtFdCwd, a.A0, p => LibC.Sys(LibC.NrFchownat, LibC.AtFdCwd, p, uid, gid, AtSymlinkNoFollow));
    }

    public static long Fchownat(GuestThread t, ref SyscallArgs a)
    {
        long uid = (int)a.A2, gid = (int)a.A3, flags = (long)a.A4;
        return OnePath(t, (int)a.A0, a.A1, p => LibC.Sys(LibC.NrFchownat, LibC.AtFdCwd, p, uid, gid, flags));
    }

    public static long Fchown(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        return f.HostFd < 0 ? -Errno.EPERM : LibC.Sys(LibC.NrFchown, f.HostFd, (int)a.A1, (int)a.A2);
    }

    public static long SyncAll(GuestThread t, ref SyscallArgs a)
    {
        LibC.Sys(LibC.NrSync);
        return 0;
    }

    private static long VectorAt(GuestThread t, ref SyscallArgs a, bool write)
    {
        long off = (long)a.A3;
        if (off < 0)
        {
            return -Errno.EINVAL;
        }

        FileDescription? f = Fd(t, a.A0);
        if (f == null || (write ? !f.CanWrite : !f.CanRead))
        {
            return -Errno.EBADF;
        }

        long count = (long)a.A2;
        if (count < 0 || count > 1024)
        {
            return -Errno.EINVAL;
        }

        byte[] iov = new byte[count * 16];
        if (count > 0 && !t.Process.Mm.ReadUser(a.A1, iov))
        {
            return -Errno.EFAULT;
        }

        long total = 0;
        for (int i = 0; i < count; i++)
        {
            ulong b = BitConverter.ToUInt64(iov, i * 16);
            ulong l = BitConverter.ToUInt64(iov, (i * 16) + 8);
            if (l == 0)
            {
                continue;
            }

            long n = write ? WriteFrom(t, f, b, l, off + total) : ReadInto(t, f, b, l, off + total);
            if (n < 0)
            {
                return total > 0 ? total : n;
            }

            total += n;
            if ((ulong)n < l)
            {
                break;
            }
        }

        return total;
    }

    public static long Preadv(GuestThread t, ref SyscallArgs a) => VectorAt(t, ref a, write: false);

    public static long Pwritev(GuestThread t, ref SyscallArgs a) => VectorAt(t, ref a, write: true);

    public static long Readahead(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null || !f.CanRead)
        {
            return -Errno.EBADF;
        }

        return f is HostFile { IsRegular: true } ? 0 : -Errno.EINVAL;
    }
}
