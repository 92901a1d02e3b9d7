using System;
using System.Text;
using X64Emu.Linux.Host;
using X64Emu.Linux.Proc;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;

namespace X64Emu.Linux.Syscalls;

public static unsafe partial class FileSyscalls
{
    public static long Getcwd(GuestThread t, ref SyscallArgs a)
    {
        byte[] cwd = Encoding.UTF8.GetBytes(t.Process.Cwd + "\0");
        if ((ulong)cwd.Length > a.A1)
        {
            return -Errno.ERANGE;
        }

        return t.Process.Mm.WriteUser(a.A0, cwd) ? cwd.Length : -Errno.EFAULT;
    }

    private static long ChdirTo(GuestThread t, string abs)
    {
        long r = VfsOps.Open(t.Kernel, t.Process, LibC.AtFdCwd, abs, OpenFlags.RdOnly | OpenFlags.Directory, 0, out FileDescription? f);
        if (r < 0)
        {
            return r;
        }

        f!.Release();
        t.Process.Cwd = GuestPath.Normalize(abs);
        return 0;
    }

    public static long Chdir(GuestThread t, ref SyscallArgs a)
    {
        long r = PathArg(t, a.A0, out string path);
        if (r < 0)
        {
            return r;
        }

        if (path.Length == 0)
        {
            return -Errno.ENOENT;
        }

        return ChdirTo(t, GuestPath.Absolute(t.Process.Cwd, path));
    }

    public static long Fchdir(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        if (!f.IsDirectory)
        {
            return -Errno.ENOTDIR;
        }

        t.Process.Cwd = GuestPath.Normalize(f.Path);
        return 0;
    }

    /// <summary>Runs a host *at syscall on one translated path argument.</summary>
    private static long OnePath(GuestThread t, int dirfd, ulong pathVa, Func<long, long> call)
    {
        long r = PathArg(t, pathVa, out string path);
        if (r < 0)
        {
            return r;
        }

        return path.Length == 0 ? -Errno.ENOENT : VfsOps.HostPathCall(t.Kernel, t.Process, dirfd, path, call);
    }

    private static long TwoPaths(GuestThread t, int dirfd1, ulong p1, int dirfd2, ulong p2, Func<long, long, long> call)
    {
        long r = PathArg(t, p1, out string a);
        if (r < 0)
        {
            return r;
        }

        r = PathArg(t, p2, out string b);
        if (r < 0)
        {
            return r;
        }

        if (a.Length == 0 || b.Length == 0)
        {
            return -Errno.ENOENT;
        }

        r = VfsOps.Resolve(t.Process, dirfd1, a, out string absA);
        if (r < 0)
        {
            return r;
        }

        r = VfsOps.Resolve(t.Process, dirfd2, b, out string absB);
        if (r < 0)
        {
            return r;
        }

        byte[] ha = LibC.Path(VfsOps.HostPath(t.Kernel, absA));
        byte[] hb = LibC.Path(VfsOps.HostPath(t.Kernel, absB));
        fixed (byte* x = ha)
        fixed (byte* y = hb)
        {
            return call((long)x, (long)y);
        }
    }

    public static long Mkdir(GuestThread t, ref SyscallArgs a)
    {
        uint mode = (uint)a.A1 & ~t.Process.Umask & 0xFFF;
        return OnePath(t, LibC.AtFdCwd, a.A0, p => LibC.Sys(LibC.NrMkdirat, LibC.AtFdCwd, p, mode));
    }

    public static long Mkdirat(GuestThread t, ref SyscallArgs a)
    {
        uint mode = (uint)a.A2 & ~t.Process.Umask & 0xFFF;
        return OnePath(t, (int)a.A0, a.A1, p => LibC.Sys(LibC.NrMkdirat, LibC.AtFdCwd, p, mode));
    }

    public static long Rmdir(GuestThread t, ref SyscallArgs a) => OnePath(t, LibC.AtFdCwd, a.A0, p => LibC.Sys(LibC.NrUnlinkat, LibC.AtFdCwd, p, AtRemoveDir));

    public static long Unlink(GuestThread t, ref SyscallArgs a) => OnePath(t, LibC.AtFdCwd, a.A0, p => LibC.Sys(LibC.NrUnlinkat, LibC.AtFdCwd, p, 0));

    public static long Unlinkat(GuestThread t, ref SyscallArgs a)
    {
        if ((a.A2 & ~(ulong)AtRemoveDir) != 0)
        {
            return -Errno.EINVAL;
        }

        long flags = (long)a.A2;
        return OnePath(t, (int)a.A0, a.A1, p => LibC.Sys(LibC.NrUnlinkat, LibC.AtFdCwd, p, flags));
    }

    public static long Rename(GuestThread t, ref SyscallArgs a) => TwoPaths(t, LibC.AtFdCwd, a.A0, LibC.AtFdCwd, a.A1, (x, y) => LibC.Sys(LibC.NrRenameat2, LibC.AtFdCwd, x, LibC.AtFdCwd, y, 0));

    public static long Renameat(GuestThread t, ref SyscallArgs a) => TwoPaths(t, (int)a.A0, a.A1, (int)a.A2, a.A3, (x, y) => LibC.Sys(LibC.NrRenameat2, LibC.AtFdCwd, x, LibC.AtFdCwd, y, 0));

    public static long Renameat2(GuestThread t, ref SyscallArgs a)
    {
        long flags = (long)a.A4;
        return TwoPaths(t, (int)a.A0, a.A1, (int)a.A2, a.A3, (x, y) => LibC.Sys(LibC.NrRenameat2, LibC.AtFdCwd, x, LibC.AtFdCwd, y, flags));
    }

    public static long Link(GuestThread t, ref SyscallArgs a) => TwoPaths(t, LibC.AtFdCwd, a.A0, LibC.AtFdCwd, a.A1, (x, y) => LibC.Sys(LibC.NrLinkat, LibC.AtFdCwd, x, LibC.AtFdCwd, y, 0));

    public static long Linkat(GuestThread t, ref SyscallArgs a)
    {
        long flags = (long)a.A4;
        return TwoPaths(t, (int)a.A0, a.A1, (int)a.A2, a.A3, (x, y) => LibC.Sys(LibC.NrLinkat, LibC.AtFdCwd, x, LibC.AtFdCwd, y, flags));
    }

    private static long SymlinkCommon(GuestThread t, ulong targetVa, int dirfd, ulong linkVa)
    {
        long r = PathArg(t, targetVa, out string target);
        if (r < 0)
        {
            return r;
        }

        byte[] tb = LibC.Path(target);
        return OnePath(t, dirfd, linkVa, p =>
        {
            fixed (byte* x = tb)
            {
                return LibC.Sys(LibC.NrSymlinkat, (long)x, LibC.AtFdCwd, p);
            }
        });
    }

    public static long Symlink(GuestThread t, ref SyscallArgs a) => SymlinkCommon(t, a.A0, LibC.AtFdCwd, a.A1);

    public static long Symlinkat(GuestThread t, ref SyscallArgs a) => SymlinkCommon(t, a.A0, (int)a.A1, a.A2);

    private static long ReadlinkCommon(GuestThread t, int dirfd, ulong pathVa, ulong buf, ulong size)
    {
        if ((long)size <= 0)
        {
            return -Errno.EINVAL;
        }

        long r = PathArg(t, pathVa, out string path);
        if (r < 0)
        {
            return r;
        }

        r = VfsOps.Resolve(t.Process, dirfd, path, out string abs);
        if (r < 0)
        {
            return r;
        }

        byte[] result;
        if (VfsOps.Classify(abs, out string norm) == VfsOps.Kind.Proc)
        {
            string? target = ProcFs.ReadLink(t.Kernel, t.Process, norm);
            if (target == null)
            {
                return -Errno.EINVAL;
            }

            result = Encoding.UTF8.GetBytes(target);
        }
        else
        {
            byte[] tmp = new byte[4096];
            byte[] hp = LibC.Path(VfsOps.HostPath(t.Kernel, abs));
            fixed (byte* b = hp)
            fixed (byte* o = tmp)
            {
                r = LibC.Sys(LibC.NrReadlinkat, LibC.AtFdCwd, (long)b, (long)o, tmp.Length);
            }

            if (r < 0)
            {
                return r;
            }

            result = tmp.AsSpan(0, (int)r).ToArray();
        }

        int n = (int)Math.Min((ulong)result.Length, size);
        return t.Process.Mm.WriteUser(buf, result.AsSpan(0, n)) ? n : -Errno.EFAULT;
    }

    public static long Readlink(GuestThread t, ref SyscallArgs a) => ReadlinkCommon(t, LibC.AtFdCwd, a.A0, a.A1, a.A2);

    public static long Readlinkat(GuestThread t, ref SyscallArgs a) => ReadlinkCommon(t, (int)a.A0, a.A1, a.A2, a.A3);

    public static long Chmod(GuestThread t, ref SyscallArgs a)
    {
        long mode = (long)(a.A1 & 0xFFF);
        return OnePath(t, LibC.AtFdCwd, a.A0, p => LibC.Sys(LibC.NrFchmodat, LibC.AtFdCwd, p, mode));
    }

    public static long Fchmodat(GuestThread t, ref SyscallArgs a)
    {
        long mode = (long)(a.A2 & 0xFFF);
        return OnePath(t, (int)a.A0, a.A1, p => LibC.Sys(LibC.NrFchmodat, LibC.AtFdCwd, p, mode));
    }

    public static long Fchmod(GuestThread t, ref SyscallArgs a)
    {
        FileDescription? f = Fd(t, a.A0);
        if (f == null)
        {
            return -Errno.EBADF;
        }

        return f.HostFd < 0 ? -Errno.EPERM : LibC.Sys(LibC.NrFchmod, f.HostFd, (long)(a.A1 & 0xFFF));
    }

    public static long Truncate(GuestThread t, ref SyscallArgs a)
    {
        long r = PathArg(t, a.A0, out string path);
        if (r < 0)
        {
            return r;
        }

        r = VfsOps.Open(t.Kernel, t.Process, LibC.AtFdCwd, path, OpenFlags.WrOnly, 0, out FileDescription? f);
        if (r < 0)
        {
            return r;
        }

        r = f!.Truncate((long)a.A1);
        f.Release();
        return r;
    }

    public static long Utimensat(GuestThread t, ref SyscallArgs a)
    {
        byte[] times = new byte[32];
        bool hasTimes = a.A2 != 0;
        if (hasTimes && !t.Process.Mm.ReadUser(a.A2, times))
        {
            return -Errno.EFAULT;
        }

        long flags = (long)a.A3;
        if (a.A1 == 0)
        {
            FileDescription? f = Fd(t, a.A0);
            if (f == null)
            {
                return -Errno.EBADF;
            }

            fixed (byte* tp = times)
            {
                return LibC.Sys(LibC.NrUtimensat, f.HostFd, 0, hasTimes ? (long)tp : 0, flags);
            }
        }

        return OnePath(t, (int)a.A0, a.A1, p =>
        {
            fixed (byte* tp = times)
            {
                return LibC.Sys(LibC.NrUtimensat, LibC.AtFdCwd, p, hasTimes ? (long)tp : 0, flags);
            }
        });
    }
}
