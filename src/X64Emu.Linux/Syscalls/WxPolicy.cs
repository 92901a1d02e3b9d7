using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

/// <summary>
/// W^X through Linux's memory-deny-write-execute prctls. X64Emu enforces W^X by default and reports
/// it as PR_MDWE_REFUSE_EXEC_GAIN; unlike Linux (where MDWE cannot be cleared), a JIT-style guest
/// opts out with <c>prctl(PR_SET_MDWE, 0, 0, 0, 0)</c> unless the CLI locked it with --wx=locked.
/// </summary>
public static class WxPolicy
{
    public const ulong RefuseExecGain = 1;
    public const ulong NoInherit = 2;

    public static long SetMdwe(GuestThread t, ulong bits, ulong a3, ulong a4, ulong a5)
    {
        if (a3 != 0 || a4 != 0 || a5 != 0 || (bits & ~(RefuseExecGain | NoInherit)) != 0)
        {
            return -Errno.EINVAL;
        }

        if ((bits & NoInherit) != 0 && (bits & RefuseExecGain) == 0)
        {
            return -Errno.EINVAL;
        }

        bool on = (bits & RefuseExecGain) != 0;
        if (!on && t.Kernel.Options.WxLocked)
        {
            return -Errno.EPERM;
        }

        t.Process.Mm.WxEnforced = on;
        return 0;
    }

    public static long GetMdwe(GuestThread t, ulong a2, ulong a3, ulong a4, ulong a5)
    {
        if (a2 != 0 || a3 != 0 || a4 != 0 || a5 != 0)
        {
            return -Errno.EINVAL;
        }

        return t.Process.Mm.WxEnforced ? (long)RefuseExecGain : 0;
    }
}
