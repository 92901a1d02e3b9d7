using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using X64Emu.Linux.Elf;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

public static unsafe partial class ProcessSyscalls
{
    static partial void RegisterLifecycle(SyscallTable t)
    {
        t.Define(SyscallNumber.Clone, &Clone);
        t.Define(SyscallNumber.Clone3, &Clone3);
        t.Define(SyscallNumber.Fork, &Fork);
        t.Define(SyscallNumber.Vfork, &Vfork);
        t.Define(SyscallNumber.Execve, &Execve);
        t.Define(SyscallNumber.Execveat, &Execveat);
    }

    /// <summary>clone(flags, newsp, parent_tid, child_tid, tls) — the x86-64 argument order.</summary>
    public static long Clone(GuestThread t, ref SyscallArgs a)
    {
        ulong flags = a.A0;
        int exitSignal = (int)(flags & 0xFF);
        if (exitSignal > Sig.Max)
        {
            return -Errno.EINVAL;
        }

        return t.Kernel.Clone(t, flags & ~0xFFUL, exitSignal, a.A1, a.A2, a.A3, a.A4);
    }

    /// <summary>clone3(struct clone_args *, size).</summary>
    public static long Clone3(GuestThread t, ref SyscallArgs a)
    {
        ulong size = a.A1;
        if (size < 64 || size > 4096)
        {
            return -Errno.EINVAL;
        }

        byte[] args = new byte[Math.Max(size, 88UL)];
        if (!t.Process.Mm.ReadUser(a.A0, args.AsSpan(0, (int)size)))
        {
            return -Errno.EFAULT;
        }

        ulong U(int off) => BinaryPrimitives.ReadUInt64LittleEndian(args.AsSpan(off));
        ulong flags = U(0);
        ulong exitSignal = U(32);
        ulong stack = U(40);
        ulong stackSize = U(48);
        if ((flags & 0xFF) != 0 || exitSignal > Sig.Max || (stack == 0) != (stackSize == 0))
        {
            return -Errno.EINVAL;
        }

        if (size >= 72 && U(64) != 0)
        {
            return -Errno.EPERM; // set_tid needs CAP_SYS_ADMIN in the pid namespace
        }

        // clone3 passes the lowest address of the stack; the stack pointer starts at its top.
        return t.Kernel.Clone(t, flags, (int)exitSignal, stack == 0 ? 0 : stack + stackSize, U(24), U(16), U(56));
    }

    public static long Fork(GuestThread t, ref SyscallArgs a) => t.Kernel.Clone(t, 0, Sig.SIGCHLD, 0, 0, 0, 0);

    public static long Vfork(GuestThread t, ref SyscallArgs a) => t.Kernel.Clone(t, Kernel.CloneVm | Kernel.CloneVfork, Sig.SIGCHLD, 0, 0, 0, 0);

    /// <summary>Reads a NULL-terminated array of string pointers (argv, envp); -E2BIG / -EFAULT.</summary>
    private static long StringArray(GuestThread t, ulong va, List<string> into)
    {
        if (va == 0)
        {
            return 0;
        }

        long total = 0;
        for (int i = 0; ; i++)
        {
            if (i > 0x7FFFFFFF / 8 || !t.Process.Mm.ReadUser64(va + (ulong)(i * 8), out ulong p))
            {
                return -Errno.EFAULT;
            }

            if (p == 0)
            {
                return 0;
            }

            string? s = t.Process.Mm.ReadUserString(p, 131072);
            if (s == null)
            {
                return -Errno.EFAULT;
            }

            total += s.Length + 1 + 8;
            if (total > (2 << 20))
            {
                return -Errno.E2BIG;
            }

            into.Add(s);
        }
    }

    private static long DoExecve(GuestThread t, string path, ulong argvVa, ulong envpVa)
    {
        List<string> argv = new();
        List<string> envp = new();
        long r = StringArray(t, argvVa, argv);
        if (r < 0)
        {
            return r;
        }

        r = StringArray(t, envpVa, envp);
        if (r < 0)
        {
            return r;
        }

        t.Kernel.KillOtherThreads(t);
        return Exec.Load(t.Kernel, t, path, argv, envp);
    }

    public static long Execve(GuestThread t, ref SyscallArgs a)
    {
        long r = FileSyscalls.PathArg(t, a.A0, out string path);
        if (r < 0)
        {
            return r;
        }

        return path.Length == 0 ? -Errno.ENOENT : DoExecve(t, path, a.A1, a.A2);
    }

    /// <summary>execveat(dirfd, path, argv, envp, flags): AT_EMPTY_PATH executes the descriptor itself.</summary>
    public static long Execveat(GuestThread t, ref SyscallArgs a)
    {
        long r = FileSyscalls.PathArg(t, a.A1, out string path);
        if (r < 0)
        {
            return r;
        }

        if ((a.A4 & ~(0x1000UL | 0x100UL)) != 0)
        {
            return -Errno.EINVAL;
        }

        if (path.Length == 0)
        {
            if ((a.A4 & 0x1000) == 0)
            {
                return -Errno.ENOENT;
            }

            Vfs.FileDescription? f = t.Process.Fds.Get((int)a.A0);
            if (f == null)
            {
                return -Errno.EBADF;
            }

            path = f.Path;
        }
        else
        {
            r = Vfs.VfsOps.Resolve(t.Process, (int)a.A0, path, out path);
            if (r < 0)
            {
                return r;
            }
        }

        return DoExecve(t, path, a.A2, a.A3);
    }
}
