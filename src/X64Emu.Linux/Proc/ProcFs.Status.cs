using System;
using System.Text;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Tasks;
using X64Emu.Memory;
using X64Emu.Memory.Vmas;

namespace X64Emu.Linux.Proc;

public static partial class ProcFs
{
    /// <summary>Data, stack and exec VM in pages, as Linux's data_vm / stack_vm / exec_vm.</summary>
    private static (long Data, long Stack, long Exec) VmKinds(AddressSpace mm)
    {
        return mm.WithLock(m =>
        {
            long data = 0, stack = 0, exec = 0;
            for (Vma? v = m.FirstVmaLocked; v != null; v = v.Next)
            {
                VmFlags f = v.Flags;
                if ((f & VmFlags.GrowsDown) != 0)
                {
                    stack += v.Pages;
                }
                else if ((f & (VmFlags.Write | VmFlags.Shared)) == VmFlags.Write)
                {
                    data += v.Pages;
                }
                else if ((f & (VmFlags.Exec | VmFlags.Write)) == VmFlags.Exec)
                {
                    exec += v.Pages;
                }
            }

            return (data, stack, exec);
        });
    }

    private static string Kb(long pages) => $"{pages * 4,8} kB";

    public static string Status(Kernel k, GuestProcess p)
    {
        AddressSpace mm = p.Mm;
        (long data, long stack, long exec) = VmKinds(mm);
        long exe = (long)((PageSizes.PageAlignUp(mm.EndCode) - PageSizes.PageAlignDown(mm.StartCode)) >> 12);
        long rss = mm.RssAnon + mm.RssFile + mm.RssShmem;
        Credentials c = p.Creds;
        ulong ign = 0, cgt = 0;
        for (int s = 1; s <= Sig.Max; s++)
        {
            if (p.Actions[s].Handler == SignalsSigIgn)
            {
                ign |= Sig.Bit(s);
            }
            else if (p.Actions[s].Handler != 0)
            {
                cgt |= Sig.Bit(s);
            }
        }

        GuestThread? t = p.Threads.Count > 0 ? p.Threads[0] : null;
        StringBuilder sb = new();
        sb.Append($"Name:\t{p.Comm}\n");
        sb.Append($"Umask:\t{Convert.ToString(p.Umask, 8).PadLeft(4, '0')}\n");
        sb.Append($"State:\t{(p.Zombie ? "Z (zombie)" : "R (running)")}\n");
        sb.Append($"Tgid:\t{p.Pid}\nNgid:\t0\nPid:\t{p.Pid}\nPPid:\t{p.Parent?.Pid ?? 0}\nTracerPid:\t0\n");
        sb.Append($"Uid:\t{c.Uid}\t{c.Euid}\t{c.Suid}\t{c.Fsuid}\n");
        sb.Append($"Gid:\t{c.Gid}\t{c.Egid}\t{c.Sgid}\t{c.Fsgid}\n");
        sb.Append("FDSize:\t64\n");
        sb.Append("Groups:\t").Append(string.Join(" ", c.Groups)).Append(" \n");
        sb.Append($"NStgid:\t{p.Pid}\nNSpid:\t{p.Pid}\nNSpgid:\t{p.Pgid}\nNSsid:\t{p.Sid}\nKthread:\t0\n");
        if (!p.Zombie)
        {
            sb.Append($"VmPeak:\t{Kb(mm.HiwaterVm)}\nVmSize:\t{Kb(mm.TotalVm)}\nVmLck:\t{Kb(mm.LockedVm)}\nVmPin:\t{Kb(0)}\n");
            sb.Append($"VmHWM:\t{Kb(Math.Max(mm.HiwaterRss, rss))}\nVmRSS:\t{Kb(rss)}\n");
            sb.Append($"RssAnon:\t{Kb(mm.RssAnon)}\nRssFile:\t{Kb(mm.RssFile)}\nRssShmem:\t{Kb(mm.RssShmem)}\n");
            sb.Append($"VmData:\t{Kb(data)}\nVmStk:\t{Kb(stack)}\nVmExe:\t{Kb(exe)}\nVmLib:\t{Kb(Math.Max(0, exec - exe))}\n");
            sb.Append($"VmPTE:\t{Kb(mm.PageTable.TableFrames)}\nVmSwap:\t{Kb(0)}\nHugetlbPages:\t{Kb(mm.HugetlbPages)}\n");
            sb.Append("CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n");
        }

        sb.Append($"Threads:\t{Math.Max(1, p.Threads.Count)}\n");
        sb.Append("SigQ:\t0/63459\n");
        sb.Append($"SigPnd:\t{t?.Pending ?? 0:x16}\nShdPnd:\t{p.SharedPending:x16}\nSigBlk:\t{t?.SigMask ?? 0:x16}\n");
        sb.Append($"SigIgn:\t{ign:x16}\nSigCgt:\t{cgt:x16}\n");
        sb.Append("CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n");
        sb.Append("NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
        sb.Append($"Cpus_allowed:\t{(1 << Environment.ProcessorCount) - 1:x}\nCpus_allowed_list:\t0-{Environment.ProcessorCount - 1}\n");
        sb.Append("Mems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
        _ = k;
        return sb.ToString();
    }

    private const ulong SignalsSigIgn = SigAction.SigIgn;

    public static string Statm(GuestProcess p)
    {
        AddressSpace mm = p.Mm;
        (long data, long stack, _) = VmKinds(mm);
        long text = (long)((PageSizes.PageAlignUp(mm.EndCode) - PageSizes.PageAlignDown(mm.StartCode)) >> 12);
        long rss = mm.RssAnon + mm.RssFile + mm.RssShmem;
        return $"{mm.TotalVm} {rss} {mm.RssFile + mm.RssShmem} {text} 0 {data + stack} 0\n";
    }

    public static string Stat(Kernel k, GuestProcess p)
    {
        AddressSpace mm = p.Mm;
        long rss = mm.RssAnon + mm.RssFile + mm.RssShmem;
        long start = (long)((DateTime.UtcNow - k.BootTime).TotalSeconds * 100);
        char state = p.Zombie ? 'Z' : 'R';
        GuestThread? t = p.Threads.Count > 0 ? p.Threads[0] : null;
        return $"{p.Pid} ({p.Comm}) {state} {p.Parent?.Pid ?? 0} {p.Pgid} {p.Sid} 0 -1 4194304 {mm.MinorFaults} 0 {mm.MajorFaults} 0 0 0 0 0 20 0 {Math.Max(1, p.Threads.Count)} 0 {start} " +
            $"{mm.TotalVm * 4096} {rss} 18446744073709551615 {mm.StartCode} {mm.EndCode} {mm.StartStack} 0 0 {p.SharedPending} {t?.SigMask ?? 0} 0 0 0 0 0 {p.ExitSignal} 0 0 0 0 0 0 " +
            $"{mm.StartData} {mm.EndData} {mm.StartBrk} {mm.ArgStart} {mm.ArgEnd} {mm.EnvStart} {mm.EnvEnd} {(p.Zombie ? p.WaitStatus : 0)}\n";
    }
}
