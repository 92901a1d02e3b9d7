using System;
using System.Collections.Generic;
using X64Emu.Cpu;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Elf;

public static unsafe partial class Exec
{
    private static long LoadElf(Kernel k, GuestThread t, string path, HostFile file, ElfFile elf, HostFile? interpFile, ElfFile? interp,
        IReadOnlyList<string> argv, IReadOnlyList<string> envp)
    {
        GuestProcess p = t.Process;
        AddressSpace mm = k.NewAddressSpace();
        bool ok = false;
        try
        {
            mm.StackLimit = p.Limits[Rlimit.Stack].Cur;
            mm.MemlockLimit = p.Limits[Rlimit.Memlock].Cur;
            MemoryObject exeObj = file.GetMappable(k, out _)!;

            // Placement (load_elf_binary): ET_EXEC at its addresses; a PIE with an interpreter at
            // ELF_ET_DYN_BASE; a static PIE wherever mmap would put it (load bias 0 + top-down search).
            ulong bias = 0;
            if (elf.IsDyn)
            {
                if (interp != null)
                {
                    bias = EtDynBase - elf.MinVAddr;
                }
                else
                {
                    long pick = PickBase(mm, elf);
                    if (pick < 0)
                    {
                        return Fail(pick, "no room for the executable");
                    }

                    bias = (ulong)pick - elf.MinVAddr;
                }
            }

            long r = MapSegments(mm, exeObj, elf, bias, path, out ulong elfBrk, out ulong startCode, out ulong endCode, out ulong startData, out ulong endData);
            if (r < 0)
            {
                return r;
            }

            ulong entry = elf.Entry + bias;
            ulong interpBase = 0;
            if (interp != null)
            {
                MemoryObject io = interpFile!.GetMappable(k, out _)!;
                long pick = PickBase(mm, interp);
                if (pick < 0)
                {
                    return Fail(pick, "no room for the ELF interpreter");
                }

                interpBase = (ulong)pick - interp.MinVAddr;
                r = MapSegments(mm, io, interp, interpBase, interpFile.Path, out _, out _, out _, out _, out _);
                if (r < 0)
                {
                    return r;
                }

                entry = interp.Entry + interpBase;
            }

            ulong brk = PageSizes.PageAlignUp(elfBrk);
            mm.InitBrk(brk);
            mm.StartCode = startCode;
            mm.EndCode = endCode;
            mm.StartData = startData;
            mm.EndData = endData;

            // The initial stack.
            byte[] random = new byte[16];
            Host.LibC.FillRandom(random);
            List<(AuxvType, ulong)> auxv = new()
            {
                (AuxvType.MinSigStkSz, 2048),
                (AuxvType.Hwcap, CpuFeatures.Leaf1Edx),
                (AuxvType.Pagesz, PageSizes.PageSize),
                (AuxvType.Clktck, 100),
                (AuxvType.Phdr, (elf.PhdrVAddr ?? 0) + bias),
                (AuxvType.Phent, 56),
                (AuxvType.Phnum, elf.PhNum),
                (AuxvType.Base, interpBase == 0 ? 0 : interpBase + interp!.MinVAddr),
                (AuxvType.Flags, 0),
                (AuxvType.Entry, elf.Entry + bias),
                (AuxvType.Uid, p.Creds.Uid),
                (AuxvType.Euid, p.Creds.Euid),
                (AuxvType.Gid, p.Creds.Gid),
                (AuxvType.Egid, p.Creds.Egid),
                (AuxvType.Secure, 0),
            };
            InitialStack? stack = InitialStack.Build(StackTop, argv, envp, path, "x86_64", random, auxv, mm.StackLimit, out string? serr);
            if (stack == null)
            {
                return Fail(-Errno.E2BIG, serr ?? "argument list too long");
            }

            ulong stackBottom = PageSizes.PageAlignDown(stack.Bottom) - StackExpand;
            Prot stackProt = Prot.Read | Prot.Write;
            if (elf.ExecStack && !mm.WxEnforced)
            {
                stackProt |= Prot.Exec;
            }

            MmStatus st = mm.Map(stackBottom, StackTop - stackBottom, stackProt, MapFlags.Fixed | MapFlags.GrowsDown | MapFlags.Kernel, null, 0, out _);
            if (st != MmStatus.Ok || !mm.WriteUser(stack.Bottom, stack.Image))
            {
                return Fail(-Errno.ENOMEM, "cannot set up the initial stack");
            }

            mm.StartStack = stack.Rsp;
            mm.ArgStart = stack.ArgStart;
            mm.ArgEnd = stack.ArgEnd;
            mm.EnvStart = stack.EnvStart;
            mm.EnvEnd = stack.EnvEnd;

            // Point of no return: the new image replaces the old one.
            Commit(k, t, mm, path);
            ok = true;
            X64Emu.Cpu.Cpu c = t.Cpu;
            for (int i = 0; i < Reg.Count; i++)
            {
                c.Gpr(i) = 0;
            }

            for (int i = 0; i < 32; i++)
            {
                c.R.Xmm[i] = 0;
            }

            c.Mxcsr = 0x1F80;
            c.Rflags = 0x202;
            c.Gpr(Reg.Rsp) = stack.Rsp;
            c.R.Rip = entry;
            return 0;
        }
        finally
        {
            if (!ok)
            {
                mm.Dispose();
            }
        }
    }

    /// <summary>Finds where a position-independent image of this span goes (top-down from mmap_base).</summary>
    private static long PickBase(AddressSpace mm, ElfFile elf)
    {
        ulong span = elf.MaxVAddr - elf.MinVAddr;
        MmStatus st = mm.Map(0, span, Prot.None, MapFlags.Kernel, null, 0, out ulong at);
        if (st != MmStatus.Ok)
        {
            return -(long)st;
        }

        mm.Unmap(at, span);
        return (long)at;
    }

    private static long MapSegments(AddressSpace mm, MemoryObject obj, ElfFile elf, ulong bias, string path,
        out ulong brk, out ulong startCode, out ulong endCode, out ulong startData, out ulong endData)
    {
        brk = 0;
        startCode = ulong.MaxValue;
        endCode = 0;
        startData = 0;
        endData = 0;
        int index = 0;
        foreach (ProgramHeader ph in elf.LoadSegments)
        {
            Prot prot = (ph.Readable ? Prot.Read : 0) | (ph.Writable ? Prot.Write : 0) | (ph.Executable ? Prot.Exec : 0);
            if (mm.WxEnforced && ph.Writable && ph.Executable)
            {
                return Fail(-Errno.EACCES, $"PT_LOAD segment {index} is writable and executable, which W^X forbids (run with --wx=off to allow it)");
            }

            ulong va = ph.VAddr + bias;
            ulong start = PageSizes.PageAlignDown(va);
            ulong fileEnd = va + ph.FileSize;
            ulong memEnd = va + ph.MemSize;
            ulong mapEnd = PageSizes.PageAlignUp(fileEnd);
            if (ph.FileSize > 0)
            {
                MmStatus st = mm.Map(start, mapEnd - start, prot, MapFlags.Fixed | MapFlags.Kernel, obj, PageSizes.PageAlignDown(ph.Offset), out _);
                if (st != MmStatus.Ok)
                {
                    return Fail(-(long)st, $"cannot map PT_LOAD segment {index} at 0x{start:x}: {Errno.Message((long)st)}");
                }
            }
            else
            {
                mapEnd = start;
            }

            if (ph.MemSize > ph.FileSize)
            {
                // bss: zero the rest of the last file page, then anonymous pages for the remainder (padzero + vm_brk).
                if (ph.FileSize > 0 && (fileEnd & PageSizes.PageMask) != 0 && ph.Writable)
                {
                    byte[] zeros = new byte[mapEnd - fileEnd];
                    if (!mm.WriteUser(fileEnd, zeros))
                    {
                        return Fail(-Errno.EFAULT, $"cannot clear the bss of segment {index}");
                    }
                }

                ulong anonEnd = PageSizes.PageAlignUp(memEnd);
                if (anonEnd > mapEnd)
                {
                    MmStatus st = mm.Map(mapEnd, anonEnd - mapEnd, prot, MapFlags.Fixed | MapFlags.Kernel, null, 0, out _);
                    if (st != MmStatus.Ok)
                    {
                        return Fail(-(long)st, $"cannot map the bss of segment {index}: {Errno.Message((long)st)}");
                    }
                }
            }

            if (ph.Executable)
            {
                startCode = Math.Min(startCode, va);
                endCode = Math.Max(endCode, va + ph.FileSize);
            }
            else if (ph.Writable)
            {
                if (startData == 0)
                {
                    startData = va;
                }

                endData = Math.Max(endData, va + ph.FileSize);
            }

            brk = Math.Max(brk, memEnd);
            index++;
        }

        _ = path;
        if (startCode == ulong.MaxValue)
        {
            startCode = 0;
        }

        return 0;
    }

    /// <summary>Replaces the process image: address space, signal dispositions, close-on-exec files, name.</summary>
    private static void Commit(Kernel k, GuestThread t, AddressSpace mm, string path)
    {
        GuestProcess p = t.Process;
        AddressSpace old = p.Mm;
        p.ReplaceMm(mm);
        t.RebindMmu(mm);
        if (!ReferenceEquals(old, mm))
        {
            old.ReleaseUser(); // a vfork parent may still be using it
        }

        t.CompleteVfork();

        // Caught signals revert to the default action; ignored ones stay ignored (execve(2)).
        for (int s = 1; s <= Sig.Max; s++)
        {
            ref SigAction a = ref p.Actions[s];
            if (a.Handler != SigAction.SigIgn)
            {
                a = default;
            }
        }

        t.AltStackSp = 0;
        t.AltStackSize = 0;
        t.AltStackFlags = 2;
        p.Fds.CloseOnExec();
        // /proc/PID/exe is the canonical absolute path (glibc's _dl_get_origin insists on the leading '/').
        string abs = GuestPath.Normalize(GuestPath.Absolute(p.Cwd, path));
        string? canonical = Host.LibC.Canonical(VfsOps.HostPath(k, abs));
        if (canonical != null && k.Options.Root != "/" && canonical.StartsWith(k.Options.Root.TrimEnd('/'), StringComparison.Ordinal))
        {
            canonical = canonical.Substring(k.Options.Root.TrimEnd('/').Length);
        }

        p.ExePath = canonical ?? abs;
        string name = GuestPath.BaseName(path);
        p.Comm = name.Length > 15 ? name.Substring(0, 15) : name;
    }
}
