using System;
using System.Buffers;
using System.Buffers.Binary;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;

namespace X64Emu.Linux.Syscalls;

/// <summary>File I/O syscalls: descriptors to open file descriptions, guest buffers copied through the MMU.</summary>
public static unsafe partial class FileSyscalls
{
    /// <summary>Largest single transfer (Linux's MAX_RW_COUNT).</summary>
    private const long MaxRw = 0x7FFFF000;

    public static void Register(SyscallTable t)
    {
        t.Define(SyscallNumber.Read, &Read);
        t.Define(SyscallNumber.Write, &Write);
        t.Define(SyscallNumber.Pread64, &Pread64);
        t.Define(SyscallNumber.Pwrite64, &Pwrite64);
        t.Define(SyscallNumber.Readv, &Readv);
        t.Define(SyscallNumber.Writev, &Writev);
        t.Define(SyscallNumber.Lseek, &Lseek);
        t.Define(SyscallNumber.Close, &Close);
        t.Define(SyscallNumber.Fsync, &Fsync);
        t.Define(SyscallNumber.Fdatasync, &Fsync);
        t.Define(SyscallNumber.Ftruncate, &Ftruncate);
        t.Define(SyscallNumber.Getdents64, &Getdents64);
        RegisterPath(t);
        RegisterControl(t);
        RegisterMore(t);
    }

    private static FileDescription? Fd(GuestThread t, ulong fd) => fd > int.MaxValue ? null : t.Process.Fds.Get((int)fd);

    /// <summary>Reads into a guest buffer through a bounce buffer (a page at a time for large reads).</summary>
    private static long ReadInto(GuestThread t, FileDescription f, ulong buf, ulong count, long offset)
    {
        long want = (long)Math.Min(count, (ulong)MaxRw);
        byte[] tmp = ArrayPool<byte>.Shared.Rent((int)Math.Min(want, 1 << 20));
        try
        {
            long total = 0;
            while (total < want)
            {
                int chunk = (int)Math.Min(want - total, tmp.Length);
                long n = offset < 0 ? f.Read(t, tmp.AsSpan(0, chunk)) : f.PRead(t, tmp.AsSpan(0, chunk), offset + total);
                if (n < 0)
                {
                    return total > 0 ? total : n;
                }

                if (n > 0 && !t.Process.Mm.WriteUser(buf + (ulong)total, tmp.AsSpan(0, (int)n)))
                {
                    return total > 0 ? total : -Errno.EFAULT;
                }

                total += n;
                if (n < chunk)
                {
                    break; // short read: end of file, or a pipe/tty with less available
                }
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tmp);
        }
    }

    private static long WriteFrom(GuestThread t, FileDescription f, ulong buf, ulong count, long offset)
    {
        long want = (long)Math.Min(count, (ulong)MaxRw);
        byte[] tmp = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(want, 1), 1 << 20));
        try
        {
            long total = 0;
            while (total < want)
            {
                int chunk = (int)Math.Min(want - total, tmp.Length);
                if (!t.Process.Mm.ReadUser(buf + (ulong)total, tmp.AsSpan(0, chunk)))
                {
                    return total > 0 ? total : -Errno.EFAULT;
                }

                long n = offset < 0 ? f.Write(t, tmp.AsSpan(0, chunk)) : f.PWrite(t, tmp.AsSpan(0, chunk), offset + total);
                if (n < 0)
                {
                    if (n == -Errno.EPIPE)
                    {
                        t.Kernel.SendSignal(t, Signals.Sig.SIGPIPE, new Signals.SigInfo { Signo = Signals.Sig.SIGPIPE, Code = Signals.SigInfo.SiUser, Pid = t.Process.Pid });
                    }

                    return total > 0 ? total : n;
                }

                total += n;
                if (n < chunk)
                {
                    break;
                }
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tmp);
        }
    }

    public static long Read(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        if (!f.CanRead)
        {
            return -Errno.EBADF;
        }

        return ReadInto(t, f, a.A1, a.A2, -1);
    }

    public static long Write(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null || !f.CanWrite)
        {
            return -Errno.EBADF;
        }

        return WriteFrom(t, f, a.A1, a.A2, -1);
    }

    public static long Pread64(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null || !f.CanRead)
        {
            return -Errno.EBADF;
        }

        return (long)a.A3 < 0 ? -Errno.EINVAL : ReadInto(t, f, a.A1, a.A2, (long)a.A3);
    }

    public static long Pwrite64(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null || !f.CanWrite)
        {
            return -Errno.EBADF;
        }

        return (long)a.A3 < 0 ? -Errno.EINVAL : WriteFrom(t, f, a.A1, a.A2, (long)a.A3);
    }

    private static long Vector(GuestThread t, ref SyscallArgs a, bool write)
    {
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
            ulong b = BinaryPrimitives.ReadUInt64LittleEndian(iov.AsSpan(i * 16));
            ulong l = BinaryPrimitives.ReadUInt64LittleEndian(iov.AsSpan((i * 16) + 8));
            if ((long)l < 0)
            {
                return -Errno.EINVAL;
            }

            if (l == 0)
            {
                continue;
            }

            long n = write ? WriteFrom(t, f, b, l, -1) : ReadInto(t, f, b, l, -1);
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

    public static long Readv(GuestThread t, ref SyscallArgs a) => Vector(t, ref a, write: false);

    public static long Writev(GuestThread t, ref SyscallArgs a) => Vector(t, ref a, write: true);

    public static long Lseek(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        return a.A2 > 4 ? -Errno.EINVAL : f.Seek((long)a.A1, (int)a.A2);
    }

    public static long Close(GuestThread t, ref SyscallArgs a) => a.A0 > int.MaxValue ? -Errno.EBADF : t.Process.Fds.Close((int)a.A0);

    public static long Fsync(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        return f == null ? -Errno.EBADF : f.Sync();
    }

    public static long Ftruncate(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        return (long)a.A1 < 0 ? -Errno.EINVAL : f.Truncate((long)a.A1);
    }

    public static long Getdents64(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        int size = (int)Math.Min(a.A2, 1 << 20);
        byte[] tmp = new byte[size];
        long n = f.GetDents64(tmp);
        if (n > 0 && !t.Process.Mm.WriteUser(a.A1, tmp.AsSpan(0, (int)n)))
        {
            return -Errno.EFAULT;
        }

        return n;
    }
}
