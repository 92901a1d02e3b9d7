using System;
using X64Emu.Linux.Host;
using X64Emu.Linux.Proc;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Vfs;

/// <summary>
/// Path operations of the guest VFS: host passthrough (rooted at --root) with the synthetic /proc
/// and the emulator's parts of /sys mounted on top.
/// </summary>
public static unsafe class VfsOps
{
    /// <summary>How a guest path is served.</summary>
    public enum Kind
    {
        Host,
        Proc,
        Sys,
    }

    /// <summary>Resolves dirfd + path to an absolute guest path; -errno on a bad dirfd.</summary>
    public static long Resolve(GuestProcess p, int dirfd, string path, out string abs)
    {
        abs = path;
        if (path.StartsWith('/'))
        {
            return 0;
        }

        if (dirfd == LibC.AtFdCwd)
        {
            abs = GuestPath.Absolute(p.Cwd, path);
            return 0;
        }

        FileDescription? dir = p.Fds.Get(dirfd);
        if (dir == null)
        {
            return -Errno.EBADF;
        }

        if (!dir.IsDirectory)
        {
            return -Errno.ENOTDIR;
        }

        abs = GuestPath.Absolute(dir.Path, path);
        return 0;
    }

    public static Kind Classify(string abs, out string normalized)
    {
        normalized = GuestPath.Normalize(abs);
        if (normalized == "/proc" || normalized.StartsWith("/proc/", StringComparison.Ordinal))
        {
            return Kind.Proc;
        }

        if (SysFs.Handles(normalized))
        {
            return Kind.Sys;
        }

        return Kind.Host;
    }

    /// <summary>The host path for a guest path (prefixing --root).</summary>
    public static string HostPath(Kernel k, string abs) => k.Options.Root == "/" ? abs : k.Options.Root.TrimEnd('/') + abs;

    /// <summary>open/openat: 0 and the file, or -errno.</summary>
    public static long Open(Kernel k, GuestProcess p, int dirfd, string path, int flags, uint mode, out FileDescription? file)
    {
        file = null;
        if (path.Length == 0)
        {
            return -Errno.ENOENT;
        }

        long r = Resolve(p, dirfd, path, out string abs);
        if (r < 0)
        {
            return r;
        }

        switch (Classify(abs, out string norm))
        {
            case Kind.Proc:
                return ProcFs.Open(k, p, norm, flags, out file);
            case Kind.Sys:
                return SysFs.Open(k, p, norm, flags, out file);
        }

        byte[] hp = LibC.Path(HostPath(k, abs));
        uint effectiveMode = mode & ~p.Umask & 0xFFF;
        long fd;
        fixed (byte* b = hp)
        {
            fd = LibC.Sys(LibC.NrOpenat, LibC.AtFdCwd, (long)b, (flags | OpenFlags.CloExec) & ~OpenFlags.NoCtty, effectiveMode);
        }

        if (fd < 0)
        {
            return fd;
        }

        file = new HostFile(k, (int)fd, abs, flags & ~(OpenFlags.CloExec | OpenFlags.Creat | OpenFlags.Excl | OpenFlags.Trunc | OpenFlags.NoCtty));
        return 0;
    }

    /// <summary>X_OK for the emulated credentials' purposes: the host decides (faccessat).</summary>
    public static bool CanExecute(Kernel k, GuestProcess p, string path)
    {
        long r = Resolve(p, LibC.AtFdCwd, path, out string abs);
        if (r < 0)
        {
            return false;
        }

        byte[] hp = LibC.Path(HostPath(k, abs));
        fixed (byte* b = hp)
        {
            return LibC.Sys(LibC.NrFaccessat2, LibC.AtFdCwd, (long)b, 1 /* X_OK */, 0) == 0;
        }
    }

    /// <summary>Runs a path-based host syscall on the translated path (mkdir, unlink, readlink, ...).</summary>
    public static long HostPathCall(Kernel k, GuestProcess p, int dirfd, string path, Func<long, long> call, bool allowSynthetic = false)
    {
        long r = Resolve(p, dirfd, path, out string abs);
        if (r < 0)
        {
            return r;
        }

        if (Classify(abs, out _) != Kind.Host && !allowSynthetic)
        {
            return -Errno.EACCES;
        }

        byte[] hp = LibC.Path(HostPath(k, abs));
        fixed (byte* b = hp)
        {
            return call((long)b);
        }
    }
}
