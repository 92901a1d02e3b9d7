using System;
using X64Emu.Linux.Host;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;

namespace X64Emu.Linux.Syscalls;

public static unsafe partial class FileSyscalls
{
    private static void RegisterControl(SyscallTable t)
    {
        t.Define(SyscallNumber.Ioctl, &Ioctl);
        t.Define(SyscallNumber.Fcntl, &Fcntl);
        t.Define(SyscallNumber.Dup, &Dup);
        t.Define(SyscallNumber.Dup2, &Dup2);
        t.Define(SyscallNumber.Dup3, &Dup3);
        t.Define(SyscallNumber.Pipe, &Pipe);
        t.Define(SyscallNumber.Pipe2, &Pipe2);
        t.Define(SyscallNumber.Poll, &Poll);
    }

    public static long Ioctl(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        switch (a.A1)
        {
            case 0x5451: // FIOCLEX
                t.Process.Fds.SetCloseOnExec((int)a.A0, true);
                return 0;
            case 0x5450: // FIONCLEX
                t.Process.Fds.SetCloseOnExec((int)a.A0, false);
                return 0;
        }

        return f.Ioctl(t, a.A1, a.A2);
    }

    public static long Fcntl(GuestThread t, ref SyscallArgs a)
    {
        int fd = (int)a.A0;
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        switch (a.A1)
        {
            case 0: // F_DUPFD
            case 1030: // F_DUPFD_CLOEXEC
                if ((long)a.A2 < 0 || a.A2 >= (ulong)t.Process.Fds.Limit)
                {
                    return -Errno.EINVAL;
                }

                f.AddRef();
                return t.Process.Fds.Install(f, a.A1 == 1030, (int)a.A2);
            case 1: // F_GETFD
                return t.Process.Fds.GetCloseOnExec(fd) ? 1 : 0;
            case 2: // F_SETFD
                t.Process.Fds.SetCloseOnExec(fd, (a.A2 & 1) != 0);
                return 0;
            case 3: // F_GETFL
                return f.StatusFlags | OpenFlags.LargeFile;
            case 4: // F_SETFL
            {
                int keep = f.StatusFlags & ~OpenFlags.SetFlMask;
                int set = (int)a.A2 & OpenFlags.SetFlMask;
                if (f.HostFd >= 0 && f is HostFile hf && !hf.IsRegular)
                {
                    long hostFlags = LibC.Sys(LibC.NrFcntl, f.HostFd, 3);
                    if (hostFlags >= 0)
                    {
                        LibC.Sys(LibC.NrFcntl, f.HostFd, 4, (hostFlags & ~(long)OpenFlags.SetFlMask) | (long)(uint)set);
                    }
                }

                f.StatusFlags = keep | set;
                return 0;
            }

            case 5: // F_GETLK
            case 6: // F_SETLK
            case 7: // F_SETLKW
            case 36: // F_OFD_GETLK
            case 37: // F_OFD_SETLK
            case 38: // F_OFD_SETLKW
            {
                if (f.HostFd < 0)
                {
                    return -Errno.EINVAL;
                }

                byte[] flock = new byte[32];
                if (!t.Process.Mm.ReadUser(a.A2, flock))
                {
                    return -Errno.EFAULT;
                }

                long r;
                fixed (byte* p = flock)
                {
                    r = LibC.Sys(LibC.NrFcntl, f.HostFd, (long)a.A1, (long)p);
                }

                if (r >= 0 && (a.A1 == 5 || a.A1 == 36) && !t.Process.Mm.WriteUser(a.A2, flock))
                {
                    return -Errno.EFAULT;
                }

                return r;
            }

            case 1031: // F_SETPIPE_SZ
            case 1032: // F_GETPIPE_SZ
                return f.HostFd < 0 ? -Errno.EBADF : LibC.Sys(LibC.NrFcntl, f.HostFd, (long)a.A1, (long)a.A2);
            default:
                t.Kernel.ReportOnce("fcntl:" + a.A1, $"x64emu: fcntl command {a.A1} is not implemented; it returns EINVAL");
                return -Errno.EINVAL;
        }
    }

    public static long Dup(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        f.AddRef();
        return t.Process.Fds.Install(f, cloexec: false);
    }

    public static long Dup2(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        if (a.A0 == a.A1)
        {
            return (long)a.A0;
        }

        if (a.A1 >= (ulong)t.Process.Fds.Limit)
        {
            return -Errno.EBADF;
        }

        f.AddRef();
        return t.Process.Fds.InstallAt((int)a.A1, f, cloexec: false);
    }

    public static long Dup3(GuestThread t, ref SyscallArgs a)
    {
        if ((a.A2 & ~(ulong)OpenFlags.CloExec) != 0 || a.A0 == a.A1)
        {
            return -Errno.EINVAL;
        }

        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        if (a.A1 >= (ulong)t.Process.Fds.Limit)
        {
            return -Errno.EBADF;
        }

        f.AddRef();
        return t.Process.Fds.InstallAt((int)a.A1, f, (a.A2 & (ulong)OpenFlags.CloExec) != 0);
    }

    public static long Pipe(GuestThread t, ref SyscallArgs a)
    {
        SyscallArgs b = new() { A0 = a.A0, A1 = 0 };
        return Pipe2(t, ref b);
    }

    /// <summary>pipe2: a host pipe, so blocking reads and writes block the guest thread's host thread.</summary>
    public static long Pipe2(GuestThread t, ref SyscallArgs a)
    {
        int flags = (int)a.A1;
        if ((flags & ~(OpenFlags.CloExec | OpenFlags.NonBlock | OpenFlags.Direct)) != 0)
        {
            return -Errno.EINVAL;
        }

        int* fds = stackalloc int[2];
        long r = LibC.Sys(LibC.NrPipe2, (long)fds, (flags & ~OpenFlags.CloExec) | OpenFlags.CloExec);
        if (r < 0)
        {
            return r;
        }

        HostFile rd = new(t.Kernel, fds[0], $"pipe:[{fds[0]}]", OpenFlags.RdOnly | (flags & OpenFlags.NonBlock));
        HostFile wr = new(t.Kernel, fds[1], $"pipe:[{fds[0]}]", OpenFlags.WrOnly | (flags & OpenFlags.NonBlock));
        bool cloexec = (flags & OpenFlags.CloExec) != 0;
        long g0 = t.Process.Fds.Install(rd, cloexec);
        if (g0 < 0)
        {
            wr.Release();
            return g0;
        }

        long g1 = t.Process.Fds.Install(wr, cloexec);
        if (g1 < 0)
        {
            t.Process.Fds.Close((int)g0);
            return g1;
        }

        int* result = stackalloc int[2];
        result[0] = (int)g0;
        result[1] = (int)g1;
        if (!t.Process.Mm.WriteUser(a.A0, new ReadOnlySpan<byte>(result, 8)))
        {
            t.Process.Fds.Close((int)g0);
            t.Process.Fds.Close((int)g1);
            return -Errno.EFAULT;
        }

        return 0;
    }

    /// <summary>poll: host descriptors are polled on the host; synthetic files are always ready.</summary>
    public static long Poll(GuestThread t, ref SyscallArgs a)
    {
        ulong n = a.A1;
        if (n > (ulong)t.Process.Fds.Limit)
        {
            return -Errno.EINVAL;
        }

        byte[] pfds = new byte[n * 8];
        if (n > 0 && !t.Process.Mm.ReadUser(a.A0, pfds))
        {
            return -Errno.EFAULT;
        }

        byte[] host = (byte[])pfds.Clone();
        bool anySynthetic = false;
        for (int i = 0; i < (int)n; i++)
        {
            int fd = BitConverter.ToInt32(pfds, i * 8);
            FileDescription? f = fd >= 0 ? t.Process.Fds.Get(fd) : null;
            int hostFd = f?.HostFd ?? -1;
            if (fd >= 0 && f == null)
            {
                hostFd = -1;
            }
            else if (f != null && hostFd < 0)
            {
                anySynthetic = true;
            }

            BitConverter.TryWriteBytes(host.AsSpan(i * 8), hostFd);
        }

        long r;
        fixed (byte* p = host)
        {
            r = LibC.Sys(LibC.NrPoll, (long)p, (long)n, anySynthetic ? 0 : (long)(int)a.A2);
        }

        if (r < 0)
        {
            return r;
        }

        long ready = 0;
        for (int i = 0; i < (int)n; i++)
        {
            int fd = BitConverter.ToInt32(pfds, i * 8);
            short events = BitConverter.ToInt16(pfds, (i * 8) + 4);
            FileDescription? f = fd >= 0 ? t.Process.Fds.Get(fd) : null;
            short revents = fd < 0 ? (short)0 : f == null ? (short)0x20 /* POLLNVAL */ : f.HostFd < 0 ? (short)(events & 5) : BitConverter.ToInt16(host, (i * 8) + 6);
            BitConverter.TryWriteBytes(pfds.AsSpan((i * 8) + 6), revents);
            if (revents != 0)
            {
                ready++;
            }
        }

        return n > 0 && !t.Process.Mm.WriteUser(a.A0, pfds) ? -Errno.EFAULT : ready;
    }
}
