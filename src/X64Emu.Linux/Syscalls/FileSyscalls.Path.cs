using System;
using System.Text;
using X64Emu.Linux.Host;
using X64Emu.Linux.Proc;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;

namespace X64Emu.Linux.Syscalls;

public static unsafe partial class FileSyscalls
{
    private const int AtEmptyPath = 0x1000;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtRemoveDir = 0x200;
    private const int PathMax = 4096;

    private static void RegisterPath(SyscallTable t)
    {
        t.Define(SyscallNumber.Open, &Open);
        t.Define(SyscallNumber.Openat, &Openat);
        t.Define(SyscallNumber.Creat, &Creat);
        t.Define(SyscallNumber.Stat, &Stat);
        t.Define(SyscallNumber.Lstat, &Lstat);
        t.Define(SyscallNumber.Fstat, &Fstat);
        t.Define(SyscallNumber.Newfstatat, &Newfstatat);
        t.Define(SyscallNumber.Statx, &Statx);
        t.Define(SyscallNumber.Access, &Access);
        t.Define(SyscallNumber.Faccessat, &Faccessat);
        t.Define(SyscallNumber.Faccessat2, &Faccessat2);
        t.Define(SyscallNumber.Getcwd, &Getcwd);
        t.Define(SyscallNumber.Chdir, &Chdir);
        t.Define(SyscallNumber.Fchdir, &Fchdir);
        t.Define(SyscallNumber.Mkdir, &Mkdir);
        t.Define(SyscallNumber.Mkdirat, &Mkdirat);
        t.Define(SyscallNumber.Rmdir, &Rmdir);
        t.Define(SyscallNumber.Unlink, &Unlink);
        t.Define(SyscallNumber.Unlinkat, &Unlinkat);
        t.Define(SyscallNumber.Rename, &Rename);
        t.Define(SyscallNumber.Renameat, &Renameat);
        t.Define(SyscallNumber.Renameat2, &Renameat2);
        t.Define(SyscallNumber.Readlink, &Readlink);
        t.Define(SyscallNumber.Readlinkat, &Readlinkat);
        t.Define(SyscallNumber.Symlink, &Symlink);
        t.Define(SyscallNumber.Symlinkat, &Symlinkat);
        t.Define(SyscallNumber.Link, &Link);
        t.Define(SyscallNumber.Linkat, &Linkat);
        t.Define(SyscallNumber.Chmod, &Chmod);
        t.Define(SyscallNumber.Fchmod, &Fchmod);
        t.Define(SyscallNumber.Fchmodat, &Fchmodat);
        t.Define(SyscallNumber.Truncate, &Truncate);
        t.Define(SyscallNumber.Utimensat, &Utimensat);
        t.Define(SyscallNumber.Umask, &Umask);
    }

    /// <summary>Reads a path argument: -EFAULT, -ENAMETOOLONG, or 0 with the string.</summary>
    internal static long PathArg(GuestThread t, ulong va, out string path)
    {
        path = string.Empty;
        byte[] buf = new byte[PathMax];
        int n = t.Process.Mm.ReadUserString(va, PathMax - 1, buf);
        if (n == -1)
        {
            return -Errno.EFAULT;
        }

        if (n < 0)
        {
            return -Errno.ENAMETOOLONG;
        }

        path = Encoding.UTF8.GetString(buf, 0, n);
        return 0;
    }

    private static long DoOpen(GuestThread t, int dirfd, ulong pathVa, int flags, uint mode)
    {
        long r = PathArg(t, pathVa, out string path);
        if (r < 0)
        {
            return r;
        }

        r = VfsOps.Open(t.Kernel, t.Process, dirfd, path, flags, mode, out FileDescription? f);
        if (r < 0)
        {
            return r;
        }

        return t.Process.Fds.Install(f!, (flags & OpenFlags.CloExec) != 0);
    }

    public static long Open(GuestThread t, ref SyscallArgs a) => DoOpen(t, LibC.AtFdCwd, a.A0, (int)a.A1, (uint)a.A2);

    public static long Openat(GuestThread t, ref SyscallArgs a) => DoOpen(t, (int)a.A0, a.A1, (int)a.A2, (uint)a.A3);

    public static long Creat(GuestThread t, ref SyscallArgs a) => DoOpen(t, LibC.AtFdCwd, a.A0, OpenFlags.Creat | OpenFlags.WrOnly | OpenFlags.Trunc, (uint)a.A1);

    /// <summary>stat family: fd (AT_EMPTY_PATH or fstat), synthetic files by opening them, host files by host fstatat.</summary>
    private static long StatCommon(GuestThread t, int dirfd, ulong pathVa, ulong statVa, int flags, bool emptyPathFd = false)
    {
        Span<byte> st = stackalloc byte[StatBuf.Size];
        long r;
        if (emptyPathFd)
        {
            FileDescription? f = t.Process.Fds.Get(dirfd);
            if (f == null)
            {
                return -Errno.EBADF;
            }

            r = f.Stat(st);
        }
        else
        {
            r = PathArg(t, pathVa, out string path);
            if (r < 0)
            {
                return r;
            }

            if (path.Length == 0)
            {
                if ((flags & AtEmptyPath) == 0)
                {
                    return -Errno.ENOENT;
                }

                return StatCommon(t, dirfd, 0, statVa, flags, emptyPathFd: true);
            }

            r = VfsOps.Resolve(t.Process, dirfd, path, out string abs);
            if (r < 0)
            {
                return r;
            }

            if (VfsOps.Classify(abs, out string norm) != VfsOps.Kind.Host)
            {
                r = VfsOps.Open(t.Kernel, t.Process, LibC.AtFdCwd, norm, OpenFlags.RdOnly, 0, out FileDescription? f);
                if (r < 0)
                {
                    return r;
                }

                r = f!.Stat(st);
                f.Release();
            }
            else
            {
                byte[] hp = LibC.Path(VfsOps.HostPath(t.Kernel, abs));
                fixed (byte* b = hp)
                fixed (byte* s = st)
                {
                    r = LibC.Sys(LibC.NrNewfstatat, LibC.AtFdCwd, (long)b, (long)s, flags & AtSymlinkNoFollow);
                }
            }
        }

        if (r < 0)
        {
            return r;
        }

        return t.Process.Mm.WriteUser(statVa, st) ? 0 : -Errno.EFAULT;
    }

    public static long Stat(GuestThread t, ref SyscallArgs a) => StatCommon(t, LibC.AtFdCwd, a.A0, a.A1, 0);

    public static long Lstat(GuestThread t, ref SyscallArgs a) => StatCommon(t, LibC.AtFdCwd, a.A0, a.A1, AtSymlinkNoFollow);

    public static long Fstat(GuestThread t, ref SyscallArgs a) => StatCommon(t, (int)a.A0, 0, a.A1, 0, emptyPathFd: true);

    public static long Newfstatat(GuestThread t, ref SyscallArgs a)
    {
        if ((a.A3 & ~(ulong)(AtEmptyPath | AtSymlinkNoFollow | 0x800)) != 0)
        {
            return -Errno.EINVAL;
        }

        return StatCommon(t, (int)a.A0, a.A1, a.A2, (int)a.A3);
    }

    /// <summary>statx: host files by the host's statx; others from their struct stat.</summary>
    public static long Statx(GuestThread t, ref SyscallArgs a)
    {
        int dirfd = (int)a.A0;
        int flags = (int)a.A2;
        long r = PathArg(t, a.A1, out string path);
        if (r < 0)
        {
            return r;
        }

        Span<byte> sx = stackalloc byte[256];
        sx.Clear();
        FileDescription? f = null;
        string? abs = null;
        if (path.Length == 0 && (flags & AtEmptyPath) != 0)
        {
            f = t.Process.Fds.Get(dirfd);
            if (f == null)
            {
                return -Errno.EBADF;
            }

            f.AddRef();
        }
        else
        {
            r = VfsOps.Resolve(t.Process, dirfd, path, out string absPath);
            if (r < 0)
            {
                return r;
            }

            abs = absPath;
        }

        try
        {
            if (f is HostFile hf)
            {
                fixed (byte* e = "\0"u8)
                fixed (byte* s = sx)
                {
                    r = LibC.Sys(LibC.NrStatx, hf.HostFd, (long)e, AtEmptyPath, (long)a.A3, (long)s);
                }
            }
            else if (f == null && VfsOps.Classify(abs!, out _) == VfsOps.Kind.Host)
            {
                byte[] hp = LibC.Path(VfsOps.HostPath(t.Kernel, abs!));
                fixed (byte* b = hp)
                fixed (byte* s = sx)
                {
                    r = LibC.Sys(LibC.NrStatx, LibC.AtFdCwd, (long)b, flags & ~AtEmptyPath, (long)a.A3, (long)s);
                }
            }
            else
            {
                if (f == null)
                {
                    r = VfsOps.Open(t.Kernel, t.Process, LibC.AtFdCwd, abs!, OpenFlags.RdOnly, 0, out f);
                    if (r < 0)
                    {
                        return r;
                    }
                }

                Span<byte> st = stackalloc byte[StatBuf.Size];
                f!.Stat(st);
                StatxFromStat(st, sx);
                r = 0;
            }
        }
        finally
        {
            f?.Release();
        }

        if (r < 0)
        {
            return r;
        }

        return t.Process.Mm.WriteUser(a.A4, sx) ? 0 : -Errno.EFAULT;
    }

    private static void StatxFromStat(ReadOnlySpan<byte> st, Span<byte> sx)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sx, 0x7FF); // STATX_BASIC_STATS
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sx.Slice(4), (uint)System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(st.Slice(56)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sx.Slice(16), (uint)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(st.Slice(16)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sx.Slice(20), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(st.Slice(28)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sx.Slice(24), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(st.Slice(32)));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(sx.Slice(28), (ushort)StatBuf.Mode(st));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(sx.Slice(32), StatBuf.Ino(st));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(sx.Slice(40), StatBuf.FileSize(st));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(sx.Slice(48), System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(st.Slice(64)));
        ulong dev = StatBuf.Dev(st);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sx.Slice(136), StatBuf.Major(dev));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sx.Slice(140), StatBuf.Minor(dev));
    }

    private static long AccessCommon(GuestThread t, int dirfd, ulong pathVa, ulong mode, ulong flags)
    {
        if ((mode & ~7UL) != 0)
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

        if (VfsOps.Classify(abs, out string norm) != VfsOps.Kind.Host)
        {
            r = VfsOps.Open(t.Kernel, t.Process, LibC.AtFdCwd, norm, OpenFlags.RdOnly, 0, out FileDescription? f);
            if (r < 0)
            {
                return r;
            }

            f!.Release();
            return (mode & 1) != 0 ? -Errno.EACCES : 0;
        }

        byte[] hp = LibC.Path(VfsOps.HostPath(t.Kernel, abs));
        fixed (byte* b = hp)
        {
            return LibC.Sys(LibC.NrFaccessat2, LibC.AtFdCwd, (long)b, (long)mode, (long)flags);
        }
    }

    public static long Access(GuestThread t, ref SyscallArgs a) => AccessCommon(t, LibC.AtFdCwd, a.A0, a.A1, 0);

    public static long Faccessat(GuestThread t, ref SyscallArgs a) => AccessCommon(t, (int)a.A0, a.A1, a.A2, 0);

    public static long Faccessat2(GuestThread t, ref SyscallArgs a) => AccessCommon(t, (int)a.A0, a.A1, a.A2, a.A3);

    public static long Umask(GuestThread t, ref SyscallArgs a)
    {
        uint old = t.Process.Umask;
        t.Process.Umask = (uint)a.A0 & 0x1FF;
        return old;
    }
}
