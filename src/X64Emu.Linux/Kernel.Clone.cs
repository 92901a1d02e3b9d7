using System;
using System.Threading;
using X64Emu.Cpu;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;

namespace X64Emu.Linux;

public sealed partial class Kernel
{
    public const ulong CloneVm = 0x100;
    public const ulong CloneFs = 0x200;
    public const ulong CloneFiles = 0x400;
    public const ulong CloneSighand = 0x800;
    public const ulong ClonePidfd = 0x1000;
    public const ulong ClonePtrace = 0x2000;
    public const ulong CloneVfork = 0x4000;
    public const ulong CloneParent = 0x8000;
    public const ulong CloneThread = 0x10000;
    public const ulong CloneNewNs = 0x20000;
    public const ulong CloneSysvsem = 0x40000;
    public const ulong CloneSettls = 0x80000;
    public const ulong CloneParentSettid = 0x100000;
    public const ulong CloneChildCleartid = 0x200000;
    public const ulong CloneDetached = 0x400000;
    public const ulong CloneUntraced = 0x800000;
    public const ulong CloneChildSettid = 0x1000000;
    public const ulong CloneNewMask = 0x7E02_0000; // namespaces and cgroups: not emulated

    /// <summary>
    /// clone / clone3 / fork / vfork (kernel/fork.c copy_process). Threads share the process; CLONE_VM
    /// without CLONE_THREAD shares the address space with a new process (vfork, posix_spawn); otherwise
    /// the address space is copied copy-on-write. Returns the child's id to the parent, or -errno.
    /// </summary>
    public long Clone(GuestThread parent, ulong flags, int exitSignal, ulong stack, ulong parentTid, ulong childTid, ulong tls)
    {
        if ((flags & CloneThread) != 0 && (flags & CloneSighand) == 0 || (flags & CloneSighand) != 0 && (flags & CloneVm) == 0)
        {
            return -Errno.EINVAL;
        }

        if ((flags & CloneNewMask) != 0)
        {
            ReportOnce("clone-ns", "x64emu: clone with namespace flags is not supported; it returns EPERM");
            return -Errno.EPERM;
        }

        GuestProcess pp = parent.Process;
        bool thread = (flags & CloneThread) != 0;
        GuestProcess proc;
        int tid = AllocatePid();
        if (thread)
        {
            proc = pp;
        }
        else
        {
            AddressSpace mm;
            if ((flags & CloneVm) != 0)
            {
                mm = pp.Mm;
                pp.Mm.AddUser();
            }
            else
            {
                AddressSpace? copy = pp.Mm.Fork();
                if (copy == null)
                {
                    return -Errno.ENOMEM;
                }

                mm = copy;
            }

            FdTable fds = (flags & CloneFiles) != 0 ? pp.Fds.Share() : pp.Fds.Clone();
            proc = new GuestProcess(this, tid, mm, fds, pp.Creds.Clone(), pp.Cwd)
            {
                Umask = pp.Umask,
                ExePath = pp.ExePath,
                Comm = pp.Comm,
                Pgid = pp.Pgid,
                Sid = pp.Sid,
                Personality = pp.Personality,
                ExitSignal = exitSignal,
            };
            if ((flags & CloneVm) != 0)
            {
                proc.ShareBlocks(pp);
            }

            Array.Copy(pp.Actions, proc.Actions, pp.Actions.Length);
            Array.Copy(pp.Limits, proc.Limits, pp.Limits.Length);
            lock (ProcessLock)
            {
                GuestProcess realParent = (flags & CloneParent) != 0 && pp.Parent != null ? pp.Parent : pp;
                proc.Parent = realParent;
                realParent.Children.Add(proc);
            }

            AddProcess(proc);
        }

        GuestThread child = new(proc, tid);
        child.Cpu.CopyStateFrom(parent.Cpu);
        child.Mmu.SetPkru(parent.Mmu.Pkru); // PKRU is part of the register state a clone inherits
        child.Cpu.Gpr(Reg.Rax) = 0;
        if (stack != 0)
        {
            child.Cpu.Gpr(Reg.Rsp) = stack;
        }

        if ((flags & CloneSettls) != 0)
        {
            child.Cpu.Gpr(Reg.FsBase) = tls;
        }

        child.SigMask = parent.SigMask;
        child.CpuAffinity = parent.CpuAffinity;
        child.AltStackSp = parent.AltStackSp;
        child.AltStackSize = parent.AltStackSize;
        child.AltStackFlags = parent.AltStackFlags;
        if ((flags & CloneChildCleartid) != 0)
        {
            child.ClearChildTid = childTid;
        }

        if ((flags & CloneParentSettid) != 0 && !pp.Mm.WriteUser32(parentTid, (uint)tid))
        {
            // Linux writes it before the child runs; a fault here is silently ignored there too.
        }

        if ((flags & CloneChildSettid) != 0)
        {
            proc.Mm.WriteUser32(childTid, (uint)tid);
        }

        lock (proc.Lock)
        {
            proc.Threads.Add(child);
        }

        VforkDone? vfork = null;
        if ((flags & CloneVfork) != 0)
        {
            vfork = new VforkDone(parent);
            child.Vfork = vfork;
        }

        StartThread(child);
        if (vfork != null)
        {
            // The parent sleeps until the child execs or exits (mm_release).
            parent.Sleep(() => vfork.Done, -1);
        }

        return tid;
    }

    /// <summary>Runs a guest thread on its own host thread.</summary>
    public void StartThread(GuestThread t)
    {
        Thread host = new(() => RunThreadGuarded(t), 16 << 20)
        {
            IsBackground = true,
            Name = $"guest-{t.Tid}",
        };
        host.Start();
    }

    private void RunThreadGuarded(GuestThread t)
    {
        try
        {
            t.Run();
        }
        catch (Exception e)
        {
            Options.Diagnostics.WriteLine($"x64emu: internal error in guest thread {t.Tid}: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("X64EMU_DEBUG") != null)
            {
                Options.Diagnostics.WriteLine(e);
            }

            Options.Diagnostics.Flush();
            Environment.Exit(70);
        }
    }
}

/// <summary>Signals a vfork parent that its child has left the shared address space.</summary>
public sealed class VforkDone
{
    private readonly GuestThread _parent;
    private volatile bool _done;

    public VforkDone(GuestThread parent)
    {
        _parent = parent;
    }

    public bool Done => _done;

    public void Complete()
    {
        _done = true;
        _parent.Wake();
    }
}
